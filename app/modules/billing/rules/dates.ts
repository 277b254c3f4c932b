/** Calendar dates as 'YYYY-MM-DD' strings (no time zone involved): the billing calendar. */

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

export function toDayNumber(date: string): number {
  const m = ISO.exec(date);
  if (!m) throw new RangeError(`not a date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
}

export function fromDayNumber(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export const addDays = (date: string, days: number): string => fromDayNumber(toDayNumber(date) + days);
/** b − a in days. */
export const daysBetween = (a: string, b: string): number => toDayNumber(b) - toDayNumber(a);

export function addMonths(date: string, months: number): string {
  const m = ISO.exec(date);
  if (!m) throw new RangeError(`not a date: ${date}`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1 + months, Number(m[3])));
  return d.toISOString().slice(0, 10);
}

export const isMonthStart = (date: string): boolean => ISO.test(date) && date.endsWith('-01');
export const minDate = (a: string, b: string): string => (a < b ? a : b);
export const maxDate = (a: string, b: string): string => (a > b ? a : b);
