import { useEffect, useRef, useState } from 'react';

/**
 * Seconds left of a countdown that restarts whenever `start` is a new object (an action's
 * response after a code was sent or rate-limited). Later responses without one leave it
 * running. 0 on the server, so a page without JavaScript never shows a button it cannot
 * re-enable (the Auth server enforces the interval anyway).
 */
export function useCountdown(start: { seconds: number } | null | undefined): number {
  const [remaining, setRemaining] = useState(0);
  const endsAt = useRef(0);
  useEffect(() => {
    if (!start || start.seconds <= 0) return;
    endsAt.current = Date.now() + start.seconds * 1000;
    const tick = () => {
      const left = Math.max(0, Math.ceil((endsAt.current - Date.now()) / 1000));
      setRemaining(left);
      return left;
    };
    tick();
    const timer = setInterval(() => {
      if (tick() === 0) clearInterval(timer);
    }, 250);
    // Only a new start (or unmounting) stops the previous timer.
    return () => clearInterval(timer);
  }, [start]);
  return remaining;
}

/** The latest non-null value seen, kept across later renders where it is null. */
export function useLatest<T>(value: T | null | undefined): T | null {
  const [latest, setLatest] = useState<T | null>(value ?? null);
  useEffect(() => {
    if (value != null) setLatest(value);
  }, [value]);
  return value ?? latest;
}
