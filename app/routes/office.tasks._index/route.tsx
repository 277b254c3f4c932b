import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { CalendarClock, ChevronRight, ClipboardList } from 'lucide-react';
import { EmptyState } from '~/components/empty-state';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { pageMeta } from '~/i18n/meta';
import { useLocale, useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { CategoryIcon } from '~/modules/repairs/components/category-icon';
import { formatDate, formatDateTime } from '~/modules/repairs/components/format';
import { LiveIndicator } from '~/modules/repairs/components/live-indicator';
import { StatusBadge } from '~/modules/repairs/components/status-badge';
import { repairTopics, useRepairChannel } from '~/modules/repairs/components/use-repair-channel';
import { listMyTasks } from '~/modules/repairs/repairs-office.server';
import { requireRepairScope } from '~/modules/repairs/repairs-routes.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'repairs.tasks.title');

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers, scope } = await requireRepairScope(request);
  const tasks = await withUser(user.claims, (tx) => listMyTasks(tx), { readOnly: true });
  return data({ tasks, communities: scope.filter((c) => c.canWork).map((c) => c.id) }, { headers });
}

/** The technician's phone view: today's work first. */
export default function TasksPage() {
  const t = useT();
  const locale = useLocale();
  const { tasks, communities } = useLoaderData<typeof loader>();
  // New assignments arrive on the community topics.
  const live = useRepairChannel(communities.slice(0, 30).map(repairTopics.community));
  const open = tasks.filter((task) => !['completed', 'rated'].includes(task.status));
  const done = tasks.filter((task) => ['completed', 'rated'].includes(task.status));
  return (
    <div className="mx-auto flex w-full max-w-md flex-col gap-4">
      <div className="flex items-center gap-3">
        <h1 className="font-semibold text-2xl tracking-tight">{t('repairs.tasks.title')}</h1>
        <LiveIndicator state={live} className="ml-auto" />
      </div>
      {open.length === 0 ? (
        <EmptyState
          icon={ClipboardList}
          title={t('repairs.tasks.empty')}
          body={t('repairs.tasks.emptyBody')}
        />
      ) : null}
      {[open, done].map((list, i) =>
        list.length > 0 ? (
          <section key={i === 0 ? 'open' : 'done'} className="flex flex-col gap-2">
            <h2 className="font-medium text-muted-foreground text-sm">
              {t(i === 0 ? 'repairs.tasks.open' : 'repairs.tasks.done')}
            </h2>
            <ul className="flex flex-col gap-2">
              {list.map((task) => (
                <li key={task.id}>
                  <Link
                    to={`/office/tasks/${task.id}`}
                    className="flex items-center gap-3 rounded-xl border bg-card p-3 hover:bg-muted focus-visible:outline-2 focus-visible:outline-ring"
                  >
                    <span className="grid size-10 shrink-0 place-items-center rounded-full bg-primary/10 text-primary">
                      <CategoryIcon icon={task.categoryIcon} />
                    </span>
                    <span className="flex min-w-0 flex-1 flex-col gap-0.5">
                      <span className="flex items-center gap-2">
                        <span className="truncate font-medium">
                          {task.communityName} {task.place}
                        </span>
                        <StatusBadge status={task.status} />
                      </span>
                      <span className="truncate text-muted-foreground text-sm">{task.summary}</span>
                      <span className="flex items-center gap-1 text-muted-foreground text-xs">
                        <CalendarClock aria-hidden className="size-3" />
                        {task.appointmentAt
                          ? formatDateTime(task.appointmentAt, locale)
                          : `${formatDate(task.preferredDate, locale)} ${t(`repairs.slot.${task.preferredSlot}`)}`}
                        {task.priority === 'urgent' ? (
                          <span className="ml-1 text-destructive">{t('repairs.priority.urgent')}</span>
                        ) : null}
                      </span>
                    </span>
                    <ChevronRight aria-hidden className="size-4 text-muted-foreground" />
                  </Link>
                </li>
              ))}
            </ul>
          </section>
        ) : null,
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary homeHref="/office" />;
}
