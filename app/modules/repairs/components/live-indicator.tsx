import { useT } from '~/i18n/use-t';
import { cn } from '~/lib/utils';
import type { ChannelState } from './use-repair-channel';

/** A small dot saying whether the page updates live. */
export function LiveIndicator({ state, className }: { state: ChannelState; className?: string }) {
  const t = useT();
  return (
    <span
      data-live={state}
      className={cn('inline-flex items-center gap-1.5 text-muted-foreground text-xs', className)}
      title={t(`repairs.live.${state}`)}
    >
      <span
        aria-hidden
        className={cn(
          'size-2 rounded-full',
          state === 'live'
            ? 'bg-emerald-500'
            : state === 'connecting'
              ? 'bg-amber-400'
              : 'bg-muted-foreground',
        )}
      />
      {t(`repairs.live.${state}`)}
    </span>
  );
}
