import { useT } from '~/i18n/use-t';
import { cn } from '~/lib/utils';
import type { RepairStatus } from '../repairs.schema';

const TONE: Record<RepairStatus, string> = {
  pending: 'bg-amber-100 text-amber-800 border-amber-200',
  accepted: 'bg-sky-100 text-sky-800 border-sky-200',
  dispatched: 'bg-indigo-100 text-indigo-800 border-indigo-200',
  in_progress: 'bg-blue-100 text-blue-800 border-blue-200',
  paused: 'bg-orange-100 text-orange-800 border-orange-200',
  completed: 'bg-emerald-100 text-emerald-800 border-emerald-200',
  rated: 'bg-teal-100 text-teal-800 border-teal-200',
  cancelled: 'bg-muted text-muted-foreground border-border',
  returned: 'bg-rose-100 text-rose-800 border-rose-200',
};

export function StatusBadge({ status, className }: { status: RepairStatus; className?: string }) {
  const t = useT();
  return (
    <span
      data-status={status}
      className={cn(
        'inline-flex w-fit shrink-0 items-center whitespace-nowrap rounded-md border px-2 py-0.5 font-medium text-xs',
        TONE[status],
        className,
      )}
    >
      {t(`repairs.status.${status}`)}
    </span>
  );
}
