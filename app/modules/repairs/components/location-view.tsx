import { Navigation } from 'lucide-react';
import { useLocale, useT } from '~/i18n/use-t';
import type { LocationDTO } from '../repairs.server';
import { formatDateTime, formatDistance } from './format';

/**
 * Where the technician is, without a map: an arrow pointing to where they come from (relative
 * to north), the straight-line distance and an ETA.
 */
export function LocationView({ location }: { location: LocationDTO }) {
  const t = useT();
  const locale = useLocale();
  if (!location.sharing) return null;
  return (
    <section
      aria-label={t('repairs.location.title')}
      data-testid="technician-location"
      className="flex items-center gap-4 rounded-xl border bg-sky-50 p-4 dark:bg-sky-950/30"
    >
      <div className="relative grid size-16 shrink-0 place-items-center rounded-full border-2 border-sky-200 bg-background">
        <span aria-hidden className="absolute top-0.5 text-[9px] text-muted-foreground">
          N
        </span>
        {location.bearing !== null ? (
          <Navigation
            aria-hidden
            className="size-7 text-sky-600"
            // The icon points north-east at rest.
            style={{ transform: `rotate(${location.bearing - 45}deg)` }}
          />
        ) : (
          <Navigation aria-hidden className="size-7 text-muted-foreground" />
        )}
      </div>
      <div className="flex min-w-0 flex-col gap-0.5">
        <p className="font-medium">{t('repairs.location.onTheWay')}</p>
        {location.distanceM !== null && location.etaMinutes !== null ? (
          <p className="text-sm">
            {t('repairs.location.distance', { distance: formatDistance(location.distanceM) })}
            {' · '}
            {t('repairs.location.eta', { minutes: location.etaMinutes })}
          </p>
        ) : (
          <p className="text-muted-foreground text-sm">{t('repairs.location.noDestination')}</p>
        )}
        <p className="text-muted-foreground text-xs">
          {location.stale
            ? t('repairs.location.stale')
            : t('repairs.location.updated', { time: formatDateTime(location.updatedAt, locale) })}
        </p>
      </div>
    </section>
  );
}
