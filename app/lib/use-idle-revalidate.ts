import { useNavigation, useRevalidator } from '@remix-run/react';
import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * Returns a stable `request()` that reloads the page's loaders for a live update — now if the
 * router is idle, otherwise as soon as it is idle again (several requests meanwhile make one
 * reload).
 *
 * Why not call `revalidate()` directly: starting a revalidation during a navigation or a form
 * submission's reload aborts that load, and the router leaves the aborted load's promise
 * rejected with nobody listening ("Uncaught (in promise) AbortError" in the console). The load
 * already under way brings fresh data anyway; the deferred reload covers a change that landed
 * after it read.
 */
export function useIdleRevalidate(): () => void {
  const revalidator = useRevalidator();
  const navigation = useNavigation();
  const busy = navigation.state !== 'idle' || revalidator.state !== 'idle';
  const latest = useRef({ busy, revalidate: revalidator.revalidate });
  latest.current = { busy, revalidate: revalidator.revalidate };
  const [pending, setPending] = useState(false);

  useEffect(() => {
    if (pending && !busy) {
      setPending(false);
      revalidator.revalidate();
    }
  }, [pending, busy, revalidator]);

  return useCallback(() => {
    if (latest.current.busy) setPending(true);
    else latest.current.revalidate();
  }, []);
}
