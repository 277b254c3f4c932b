import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { withUser } from '~/lib/db.server';
import { parseFormData } from '~/lib/form-errors';
import { requireUser } from '~/modules/auth/session.server';
import { followSchema } from '~/modules/repairs/repairs.schema';
import { followTicket, publicMatches } from '~/modules/repairs/repairs.server';
import { answerForm, invalidForm } from '~/modules/repairs/repairs-routes.server';

/** Resource route for the report form: open public-area tickets ("already reported"), and "me too". */
const query = z.object({ community: z.string().uuid(), category: z.string().uuid().optional() });

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return data({ matches: [] }, { headers });
  const matches = await withUser(
    user.claims,
    (tx) => publicMatches(tx, parsed.data.community, parsed.data.category),
    { readOnly: true },
  );
  return data({ matches }, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const submission = parseFormData(await request.formData(), followSchema);
  if (!submission.ok) return invalidForm(headers, submission.errors);
  return answerForm(headers, () => withUser(user.claims, (tx) => followTicket(tx, submission.data.ticketId)));
}
