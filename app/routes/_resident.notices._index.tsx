import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useLoaderData, useSearchParams } from '@remix-run/react';
import { Card } from '~/components/ui/card';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { authCacheHeaders } from '~/lib/supabase.server';
import { cn } from '~/lib/utils';
import { requireUser } from '~/modules/auth/session.server';
import { noticeCategoryKeys } from '~/modules/notices/components/labels';
import { NoticeBoard } from '~/modules/notices/components/notice-board';
import { noticeCategories, residentListFilterSchema } from '~/modules/notices/notices.schema';
import { listNoticesForResident } from '~/modules/notices/notices.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'notices.title');
export const headers = authCacheHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const filter = residentListFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const notices = await withUser(
    user.claims,
    (tx) => listNoticesForResident(tx, { category: filter.category }),
    {
      readOnly: true,
    },
  );
  return data({ notices, category: filter.category ?? null }, { headers });
}

export default function ResidentNoticesPage() {
  const t = useT();
  const { notices, category } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const tabs = [{ value: null, label: t('notices.category.all') }].concat(
    noticeCategories.map((c) => ({ value: c, label: t(noticeCategoryKeys[c]) }) as never),
  ) as { value: string | null; label: string }[];
  return (
    <div className="flex flex-col gap-4">
      <h1 className="font-semibold text-xl tracking-tight">{t('notices.title')}</h1>
      <nav aria-label={t('notices.categories')} className="-mx-1 flex gap-1.5 overflow-x-auto px-1 pb-1">
        {tabs.map((tab) => {
          const next = new URLSearchParams(params);
          if (tab.value) next.set('category', tab.value);
          else next.delete('category');
          const active = (tab.value ?? null) === category;
          return (
            <Link
              key={tab.value ?? 'all'}
              to={`?${next.toString()}`}
              aria-current={active ? 'page' : undefined}
              className={cn(
                'shrink-0 rounded-full border px-3 py-1 text-sm transition-colors',
                active ? 'border-primary bg-primary text-primary-foreground' : 'hover:bg-muted',
              )}
            >
              {tab.label}
            </Link>
          );
        })}
      </nav>
      <Card className="px-4 py-1">
        <NoticeBoard notices={notices} />
      </Card>
    </div>
  );
}
