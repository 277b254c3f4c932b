/**
 * Wall-clock times in a time zone ↔ instants, with Intl only. The editor's datetime-local
 * inputs carry no zone; the form sends the browser's zone along (Asia/Shanghai by default).
 */

function offsetMinutes(instant: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(
    +parts.year,
    +parts.month - 1,
    +parts.day,
    +parts.hour,
    +parts.minute,
    +parts.second,
  );
  return Math.round((asUtc - instant.getTime()) / 60_000);
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** `2026-11-23T08:00` in `timeZone` → the instant. */
export function zonedToInstant(local: string, timeZone: string): Date {
  const tz = isTimeZone(timeZone) ? timeZone : 'Asia/Shanghai';
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) throw new RangeError(`not a local date-time: ${local}`);
  const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  // Two passes settle the offset also next to a daylight-saving change.
  let instant = guess - offsetMinutes(new Date(guess), tz) * 60_000;
  instant = guess - offsetMinutes(new Date(instant), tz) * 60_000;
  return new Date(instant);
}

/** The instant as `YYYY-MM-DDTHH:mm` in `timeZone`, for a datetime-local input's value. */
export function instantToZoned(iso: string, timeZone: string): string {
  const tz = isTimeZone(timeZone) ? timeZone : 'Asia/Shanghai';
  const d = new Date(iso);
  const shifted = new Date(d.getTime() + offsetMinutes(d, tz) * 60_000);
  return shifted.toISOString().slice(0, 16);
}
