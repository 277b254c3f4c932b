import type { LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { getLocale } from '~/i18n/locale.server';
import { translate } from '~/i18n/translate';
import { withUser } from '~/lib/db.server';
import { exportTickets } from '~/modules/repairs/repairs-export.server';
import { requireRepairScope } from '~/modules/repairs/repairs-routes.server';

/** GET /office/repairs/export?from&to&community → 报修单.xlsx (the caller's tickets under RLS). */
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const query = z.object({
  community: z.string().uuid().optional().catch(undefined),
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .catch(() => day(-29)),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .catch(() => day(0)),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers, scope } = await requireRepairScope(request);
  const q = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const ids = q.community && scope.some((c) => c.id === q.community) ? [q.community] : scope.map((c) => c.id);
  const locale = getLocale(request);
  const body = await withUser(
    user.claims,
    (tx) => exportTickets(tx, ids, q, (key, vars) => translate(locale, key, vars)),
    { readOnly: true, statementTimeoutMs: 30_000 },
  );
  headers.set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  headers.set(
    'Content-Disposition',
    `attachment; filename="repairs-${q.from}-${q.to}.xlsx"; filename*=UTF-8''${encodeURIComponent(`报修单-${q.from}-${q.to}.xlsx`)}`,
  );
  headers.set('Cache-Control', 'no-store');
  return new Response(new Uint8Array(body), { headers });
}
