/**
 * pg_cron's schedule syntax (citusdata/pg_cron `src/entry.c`, vixie cron), evaluated in UTC
 * as pg_cron does by default (`cron.timezone = 'GMT'`):
 *
 * - five fields `minute hour day-of-month month day-of-week`, each a list of `*`, `n`,
 *   `a-b`, `*\/s` or `a-b/s`; names `jan`…`dec` and `sun`…`sat`; 0 and 7 are Sunday;
 * - `$` as the day of month: the last day of the month;
 * - when both day fields are restricted a day matches either (vixie's OR); when one starts
 *   with `*` both must match;
 * - `@yearly` `@annually` `@monthly` `@weekly` `@daily` `@midnight` `@hourly`, and
 *   `@reboot` (once when the scheduler starts);
 * - `'<1-59> seconds'` for sub-minute intervals.
 */

export type CronSchedule =
  | { kind: 'interval'; seconds: number }
  | { kind: 'reboot' }
  | {
      kind: 'cron';
      minute: Set<number>;
      hour: Set<number>;
      dom: Set<number>;
      month: Set<number>;
      dow: Set<number>;
      lastDom: boolean;
      /** Either day field began with `*`: both day fields must match, not one of them. */
      dayAnd: boolean;
    };

export class InvalidScheduleError extends Error {
  constructor(readonly schedule: string) {
    super(`invalid schedule: ${schedule}`);
  }
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const SPECIALS: Record<string, string> = {
  yearly: '0 0 1 1 *',
  annually: '0 0 1 1 *',
  monthly: '0 0 1 * *',
  weekly: '0 0 * * 0',
  daily: '0 0 * * *',
  midnight: '0 0 * * *',
  hourly: '0 * * * *',
};

function parseField(text: string, low: number, high: number, names?: string[], nameBase = 0): Set<number> {
  const out = new Set<number>();
  const value = (token: string): number => {
    const named = names?.indexOf(token.toLowerCase()) ?? -1;
    if (named >= 0) return named + nameBase;
    if (!/^\d+$/.test(token)) throw new Error(token);
    return Number(token);
  };
  for (const item of text.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (!m) throw new Error(item);
    let from = low;
    let to = high;
    if (m[1] !== '*') {
      const [a, b] = m[1].split('-');
      from = value(a);
      // A single value with a step (`5/10`) is not valid: vixie needs a range or `*`.
      if (b === undefined && m[2] !== undefined) throw new Error(item);
      to = b === undefined ? from : value(b);
    }
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (from < low || from > high || to < low || to > high || step <= 0 || step > high) throw new Error(item);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

export function parseSchedule(schedule: string): CronSchedule {
  const text = schedule.trim();
  const interval = /^(\d+)\s+seconds?$/i.exec(text);
  if (interval) {
    const seconds = Number(interval[1]);
    if (seconds < 1 || seconds > 59) throw new InvalidScheduleError(schedule);
    return { kind: 'interval', seconds };
  }
  let fields = text;
  if (text.startsWith('@')) {
    const name = text.slice(1).toLowerCase();
    if (name === 'reboot' || name === 'restart') return { kind: 'reboot' };
    if (!SPECIALS[name]) throw new InvalidScheduleError(schedule);
    fields = SPECIALS[name];
  }
  const parts = fields.split(/\s+/);
  if (parts.length !== 5) throw new InvalidScheduleError(schedule);
  try {
    const lastDom = parts[2] === '$';
    const dow = parseField(parts[4], 0, 7, DAYS);
    if (dow.has(7)) dow.add(0);
    return {
      kind: 'cron',
      minute: parseField(parts[0], 0, 59),
      hour: parseField(parts[1], 0, 23),
      dom: lastDom ? new Set() : parseField(parts[2], 1, 31),
      month: parseField(parts[3], 1, 12, MONTHS, 1),
      dow,
      lastDom,
      dayAnd: parts[2].startsWith('*') || parts[4].startsWith('*'),
    };
  } catch {
    throw new InvalidScheduleError(schedule);
  }
}

function matchesMinute(s: Extract<CronSchedule, { kind: 'cron' }>, d: Date): boolean {
  if (!s.minute.has(d.getUTCMinutes()) || !s.hour.has(d.getUTCHours()) || !s.month.has(d.getUTCMonth() + 1))
    return false;
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  const dom = s.dom.has(d.getUTCDate()) || (s.lastDom && d.getUTCDate() === lastDay);
  const dow = s.dow.has(d.getUTCDay());
  return s.dayAnd ? dom && dow : dom || dow;
}

const MINUTE = 60_000;
/** Far enough back for any schedule that can fire at all (Feb 29 on a Monday recurs within 28 years). */
const SEARCH_LIMIT_MINUTES = 29 * 366 * 24 * 60;

/** The latest time at or before `now` when the schedule fires; null for `@reboot` or a schedule that never fires. */
export function latestDue(s: CronSchedule, now: Date): Date | null {
  if (s.kind === 'reboot') return null;
  if (s.kind === 'interval') {
    const ms = s.seconds * 1000;
    return new Date(Math.floor(now.getTime() / ms) * ms);
  }
  let t = Math.floor(now.getTime() / MINUTE) * MINUTE;
  for (let i = 0; i < SEARCH_LIMIT_MINUTES; i++, t -= MINUTE) {
    const d = new Date(t);
    // Skip whole hours and days that cannot match, so a yearly schedule is found quickly.
    if (!s.month.has(d.getUTCMonth() + 1) || !s.hour.has(d.getUTCHours())) {
      t = Math.floor(t / (60 * MINUTE)) * 60 * MINUTE;
      continue;
    }
    if (matchesMinute(s, d)) return d;
  }
  return null;
}

/** The earliest time after `after` when the schedule fires; null for `@reboot` or never. */
export function nextDue(s: CronSchedule, after: Date): Date | null {
  if (s.kind === 'reboot') return null;
  if (s.kind === 'interval') {
    const ms = s.seconds * 1000;
    return new Date((Math.floor(after.getTime() / ms) + 1) * ms);
  }
  let t = (Math.floor(after.getTime() / MINUTE) + 1) * MINUTE;
  for (let i = 0; i < SEARCH_LIMIT_MINUTES; i++, t += MINUTE) {
    const d = new Date(t);
    if (!s.month.has(d.getUTCMonth() + 1) || !s.hour.has(d.getUTCHours())) {
      t = (Math.floor(t / (60 * MINUTE)) + 1) * 60 * MINUTE - MINUTE;
      continue;
    }
    if (matchesMinute(s, d)) return d;
  }
  return null;
}

/**
 * Whether a job whose last run was for `lastDue` must run now, and for which slot. Missed
 * slots (the platform was down) collapse into one run for the latest of them: a run after
 * downtime is caught up once, never skipped and never repeated.
 */
export function slotToRun(s: CronSchedule, lastDue: Date, now: Date): Date | null {
  const due = latestDue(s, now);
  return due && due.getTime() > lastDue.getTime() ? due : null;
}
