import { useFetcher } from '@remix-run/react';
import { LocateFixed, LocateOff } from 'lucide-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button } from '~/components/ui/button';
import { useT } from '~/i18n/use-t';
import type { MessageKey } from '~/i18n/zh-CN';

/** At most one position every 10 seconds: enough for an ETA, light on battery and server. */
const MIN_INTERVAL_MS = 10_000;

/**
 * The technician's opt-in location sharing while on the way. Positions go to the page's
 * action (intent "location"); the household sees distance and ETA, never a map. Sharing stops
 * when the technician stops it, leaves the page, arrives or starts work (the server deletes
 * the position then).
 */
export function LocationSharer({ sharing }: { sharing: boolean }) {
  const t = useT();
  const fetcher = useFetcher();
  const [watching, setWatching] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);
  const watchId = useRef<number | null>(null);
  const lastSent = useRef(0);
  const submitRef = useRef(fetcher.submit);
  submitRef.current = fetcher.submit;

  const clear = useCallback(() => {
    if (watchId.current !== null) navigator.geolocation.clearWatch(watchId.current);
    watchId.current = null;
  }, []);
  useEffect(() => clear, [clear]);

  function start() {
    setError(null);
    if (!('geolocation' in navigator)) {
      setError('repairs.location.unavailable');
      return;
    }
    lastSent.current = 0;
    watchId.current = navigator.geolocation.watchPosition(
      (position) => {
        const now = Date.now();
        if (now - lastSent.current < MIN_INTERVAL_MS) return;
        lastSent.current = now;
        submitRef.current(
          {
            intent: 'location',
            latitude: String(position.coords.latitude),
            longitude: String(position.coords.longitude),
            accuracy: String(Math.round(position.coords.accuracy)),
          },
          { method: 'post' },
        );
      },
      (err) => {
        setError(
          err.code === err.PERMISSION_DENIED ? 'repairs.location.denied' : 'repairs.location.unavailable',
        );
        clear();
        setWatching(false);
      },
      { enableHighAccuracy: true, maximumAge: MIN_INTERVAL_MS, timeout: 30_000 },
    );
    setWatching(true);
  }

  function stop() {
    clear();
    setWatching(false);
    submitRef.current({ intent: 'stopSharing' }, { method: 'post' });
  }

  return (
    <div
      className="flex flex-col gap-2 rounded-xl border bg-sky-50 p-3"
      data-sharing={watching ? 'on' : 'off'}
    >
      <p className="text-sm">
        {watching
          ? t('repairs.location.sharingOn')
          : sharing
            ? t('repairs.location.sharingPaused')
            : t('repairs.location.shareHint')}
      </p>
      {watching ? (
        <Button type="button" variant="outline" onClick={stop}>
          <LocateOff aria-hidden />
          {t('repairs.location.stop')}
        </Button>
      ) : (
        <Button type="button" variant="secondary" onClick={start}>
          <LocateFixed aria-hidden />
          {t('repairs.location.share')}
        </Button>
      )}
      {error ? (
        <p role="alert" className="text-destructive text-sm">
          {t(error)}
        </p>
      ) : null}
    </div>
  );
}
