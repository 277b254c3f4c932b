import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useLoaderData, useSearchParams } from '@remix-run/react';
import { ChevronRight, Plus, Wrench } from 'lucide-react';
import { EmptyState } from '~/components/empty-state';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Button } from '~/components/ui/button';
import { pageMeta } from '~/i18n/meta';
import { useLocale, useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { authCacheHeaders } from '~/lib/supabase.server';
import { cn } from '~/lib/utils';
import { requireUser } from '~/modules/auth/session.server';
import { CategoryIcon, categoryName } from '~/modules/repairs/components/category-icon';
import { formatDateTime } from '~/modules/repairs/components/format';
import { StatusBadge } from '~/modules/repairs/components/status-badge';
import { repairTopics, useRepairChannel } from '~/modules/repairs/components/use-repair-channel';
import { listMyRepairs, type MyRepairsFilter } from '~/modules/repairs/repairs.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'resident.repairs.title');
export const headers = authCacheHeaders;

const FILTERS: MyRepairsFilter[] = ['open', 'done', 'all'];

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const show = new URL(request.url).searchParams.get('show');
  const filter: MyRepairsFilter = FILTERS.includes(show as MyRepairsFilter)
    ? (show as MyRepairsFilter)
    : 'all';
  const items = await withUser(user.claims, (tx) => listMyRepairs(tx, { filter, limit: 50 }), {
    readOnly: true,
  });
  return data({ items, filter }, { headers });
}

export default function ResidentRepairsPage() {
  const t = useT();
  const locale = useLocale();
  const { items, filter } = useLoaderData<typeof loader>();
  const [, setParams] = useSearchParams();
  // Open tickets update live (status changes arrive on each ticket's private topic).
  useRepairChannel(
    items
      .filter((i) => !['completed', 'rated', 'cancelled'].includes(i.status))
      .slice(0, 10)
      .map((i) => repairTopics.ticket(i.id)),
  );
  return (
    <div className="flex flex-col gap-4">
      <div className="flex items-center justify-between gap-2">
        <h1 className="font-semibold text-xl tracking-tight">{t('resident.repairs.title')}</h1>
        <Button asChild size="sm">
          <Link to="/repairs/new">
            <Plus aria-hidden />
            {t('repairs.list.new')}
          </Link>
        </Button>
      </div>
      <div
        role="tablist"
        aria-label={t('repairs.list.filter')}
        className="grid grid-cols-3 rounded-lg bg-muted p-1"
      >
        {FILTERS.map((f) => (
          <button
            key={f}
            type="button"
            role="tab"
            aria-selected={filter === f}
            onClick={() => setParams(f === 'all' ? {} : { show: f }, { replace: true })}
            className={cn(
              'rounded-md py-1.5 text-sm transition-colors',
              filter === f ? 'bg-background font-medium shadow-xs' : 'text-muted-foreground',
            )}
          >
            {t(`repairs.list.${f}`)}
          </button>
        ))}
      </div>
      {items.length === 0 ? (
        <EmptyState
          icon={Wrench}
          title={t('resident.home.repairs.empty')}
          body={t('resident.home.repairs.emptyBody')}
        >
          <Button asChild size="sm" className="mt-2">
            <Link to="/repairs/new">{t('repairs.list.new')}</Link>
          </Button>
        </EmptyState>
      ) : (
        <ul className="flex flex-col gap-2">
          {items.map((item) => (
            <li key={item.id}>
              <Link
                to={`/repairs/${item.id}`}
                className="flex items-center gap-3 rounded-xl border bg-card p-3 transition-colors hover:bg-muted focus-visible:outline-2 focus-visible:outline-ring"
              >
                <span className="grid size-10 shrink-0 place-items-center rounded-full bg-primary/10 text-primary">
                  <CategoryIcon icon={item.categoryIcon} />
                </span>
                <span className="flex min-w-0 flex-1 flex-col gap-0.5">
                  <span className="flex items-center gap-2">
                    <span className="font-medium">
                      {categoryName({ name: item.categoryName, nameEn: item.categoryNameEn }, locale)}
                    </span>
                    <StatusBadge status={item.status} />
                  </span>
                  <span className="truncate text-muted-foreground text-sm">{item.summary}</span>
                  <span className="text-muted-foreground text-xs">
                    {item.place} · {formatDateTime(item.createdAt, locale)}
                  </span>
                </span>
                <ChevronRight aria-hidden className="size-4 text-muted-foreground" />
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
