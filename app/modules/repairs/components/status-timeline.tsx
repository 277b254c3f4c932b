import { Check } from 'lucide-react';
import { useLocale, useT } from '~/i18n/use-t';
import { cn } from '~/lib/utils';
import type { RepairStatus } from '../repairs.schema';
import type { TicketDTO, TicketEventDTO } from '../repairs.server';
import { formatDateTime } from './format';

/** The main path a ticket walks; 已受理 and 已派单 share a step. */
const STEPS: {
  key: string;
  statuses: RepairStatus[];
  label: 'pending' | 'accepted' | 'in_progress' | 'completed' | 'rated';
}[] = [
  { key: 'pending', statuses: ['pending', 'returned'], label: 'pending' },
  { key: 'accepted', statuses: ['accepted', 'dispatched'], label: 'accepted' },
  { key: 'in_progress', statuses: ['in_progress', 'paused'], label: 'in_progress' },
  { key: 'completed', statuses: ['completed'], label: 'completed' },
  { key: 'rated', statuses: ['rated'], label: 'rated' },
];

function stepIndex(status: RepairStatus): number {
  return STEPS.findIndex((s) => s.statuses.includes(status));
}

/** Progress bar of the main path plus the full list of steps with times and reasons. */
export function StatusTimeline({
  ticket,
  events,
  showActors = false,
}: {
  ticket: TicketDTO;
  events: TicketEventDTO[];
  showActors?: boolean;
}) {
  const t = useT();
  const locale = useLocale();
  const current = stepIndex(ticket.status);
  const closed = ticket.status === 'cancelled';
  return (
    <div className="flex flex-col gap-4">
      <ol className="grid grid-cols-5 gap-1" aria-label={t('repairs.detail.progress')}>
        {STEPS.map((step, i) => {
          const reached = !closed && i <= current;
          const here = !closed && i === current;
          const label =
            step.key === 'accepted' && ['dispatched'].includes(ticket.status)
              ? t('repairs.status.dispatched')
              : here && ['paused', 'returned'].includes(ticket.status)
                ? t(`repairs.status.${ticket.status}`)
                : t(`repairs.status.${step.label}`);
          return (
            <li
              key={step.key}
              className="flex flex-col items-center gap-1 text-center"
              aria-current={here ? 'step' : undefined}
            >
              <span
                className={cn(
                  'grid size-6 place-items-center rounded-full border text-xs',
                  reached
                    ? 'border-primary bg-primary text-primary-foreground'
                    : 'bg-background text-muted-foreground',
                  here && 'ring-4 ring-primary/20',
                )}
              >
                {reached && !here ? <Check aria-hidden className="size-3.5" /> : i + 1}
              </span>
              <span
                className={cn(
                  'text-[11px] leading-tight',
                  here ? 'font-medium text-foreground' : 'text-muted-foreground',
                )}
              >
                {label}
              </span>
            </li>
          );
        })}
      </ol>
      <ol className="relative flex flex-col gap-3 border-l pl-4" aria-label={t('repairs.detail.timeline')}>
        {[...events].reverse().map((e) => (
          <li key={e.id} data-event={e.event} className="relative">
            <span
              aria-hidden
              className="-left-[21px] absolute top-1.5 size-2.5 rounded-full border-2 border-background bg-primary"
            />
            <div className="flex flex-wrap items-baseline justify-between gap-x-2">
              <span className="font-medium text-sm">{t(`repairs.event.${e.event}`)}</span>
              <time className="text-muted-foreground text-xs" dateTime={e.createdAt}>
                {formatDateTime(e.createdAt, locale)}
              </time>
            </div>
            {e.assigneeName ? (
              <p className="text-muted-foreground text-sm">
                {t('repairs.detail.technicianIs', { name: e.assigneeName })}
              </p>
            ) : null}
            {e.appointmentAt ? (
              <p className="text-muted-foreground text-sm">
                {t('repairs.detail.appointmentIs', { time: formatDateTime(e.appointmentAt, locale) })}
              </p>
            ) : null}
            {e.mergedIntoNumber ? (
              <p className="text-muted-foreground text-sm">
                {t('repairs.detail.mergedInto', { number: e.mergedIntoNumber })}
              </p>
            ) : null}
            {e.reason ? (
              <p className="text-muted-foreground text-sm">
                {t('repairs.detail.reasonIs', { reason: e.reason })}
              </p>
            ) : null}
            {showActors && e.actorName ? (
              <p className="text-muted-foreground text-xs">{e.actorName}</p>
            ) : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
