import { describe, expect, it } from 'vitest';
import { InvalidScheduleError, latestDue, nextDue, parseSchedule, slotToRun } from './cron';

const at = (iso: string) => new Date(iso);
const next = (schedule: string, after: string) => nextDue(parseSchedule(schedule), at(after))?.toISOString();
const latest = (schedule: string, now: string) => latestDue(parseSchedule(schedule), at(now))?.toISOString();

describe('parseSchedule', () => {
  it('accepts what pg_cron accepts', () => {
    for (const s of [
      '* * * * *',
      '0 1 * * *',
      '*/15 8-18 * * mon-fri',
      '0 0 1,15 * *',
      '30 2 $ * *',
      '0 9 * JAN-MAR 1',
      '@daily',
      '@hourly',
      '@reboot',
      '10 seconds',
      '1 second',
      '5-55/10 * * * *',
      '0 0 * * 7',
    ]) {
      expect(() => parseSchedule(s), s).not.toThrow();
    }
  });

  it('refuses what pg_cron refuses, with its message', () => {
    for (const s of [
      '',
      '* * * *',
      '* * * * * *',
      '60 * * * *',
      '* 24 * * *',
      '* * 0 * *',
      '* * * 13 *',
      '* * * * 8',
      '5/10 * * * *',
      '*/0 * * * *',
      '0 seconds',
      '60 seconds',
      '@sometimes',
      '$ * * * *',
      'x * * * *',
    ]) {
      expect(() => parseSchedule(s), s).toThrow(InvalidScheduleError);
    }
    expect(() => parseSchedule('61 * * * *')).toThrow('invalid schedule: 61 * * * *');
  });
});

describe('nextDue and latestDue (UTC)', () => {
  it('steps through minutes, hours and days', () => {
    expect(next('* * * * *', '2026-11-22T10:15:30Z')).toBe('2026-11-22T10:16:00.000Z');
    expect(next('0 1 * * *', '2026-11-22T01:00:00Z')).toBe('2026-11-23T01:00:00.000Z');
    expect(latest('0 1 * * *', '2026-11-22T00:59:59Z')).toBe('2026-11-21T01:00:00.000Z');
    expect(latest('*/15 * * * *', '2026-11-22T10:44:59Z')).toBe('2026-11-22T10:30:00.000Z');
  });

  it('treats 0 and 7 as Sunday and names as numbers', () => {
    // 2026-11-22 is a Sunday.
    expect(next('0 8 * * 7', '2026-11-20T00:00:00Z')).toBe('2026-11-22T08:00:00.000Z');
    expect(next('0 8 * * sun', '2026-11-20T00:00:00Z')).toBe('2026-11-22T08:00:00.000Z');
    expect(next('0 0 1 feb *', '2026-11-22T00:00:00Z')).toBe('2027-02-01T00:00:00.000Z');
  });

  it('ORs restricted day fields and ANDs them when one starts with *', () => {
    // The 1st of the month or any Monday.
    expect(next('0 0 1 * 1', '2026-11-22T00:00:00Z')).toBe('2026-11-23T00:00:00.000Z');
    expect(next('0 0 1 * 1', '2026-11-23T00:00:00Z')).toBe('2026-11-30T00:00:00.000Z');
    expect(next('0 0 1 * 1', '2026-11-30T00:00:00Z')).toBe('2026-12-01T00:00:00.000Z');
    // Odd days of the month (1, 3, …) that are also Mondays.
    expect(next('0 0 */2 * 1', '2026-11-22T00:00:00Z')).toBe('2026-11-23T00:00:00.000Z');
    expect(next('0 0 */2 * 1', '2026-11-23T00:00:00Z')).toBe('2026-12-07T00:00:00.000Z');
  });

  it('fires $ on the last day of each month, leap years included', () => {
    expect(next('0 0 $ * *', '2027-02-01T00:00:00Z')).toBe('2027-02-28T00:00:00.000Z');
    expect(next('0 0 $ * *', '2028-02-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
  });

  it('finds rare schedules (29 February) and seconds intervals', () => {
    expect(next('0 0 29 2 *', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(latest('0 0 29 2 *', '2026-03-01T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(next('10 seconds', '2026-11-22T10:00:05Z')).toBe('2026-11-22T10:00:10.000Z');
    expect(latest('10 seconds', '2026-11-22T10:00:19.999Z')).toBe('2026-11-22T10:00:10.000Z');
  });

  it('never schedules @reboot by the clock', () => {
    expect(nextDue(parseSchedule('@reboot'), new Date())).toBeNull();
  });
});

describe('slotToRun: catch-up after downtime', () => {
  const hourly = parseSchedule('0 * * * *');

  it('runs nothing before the next slot', () => {
    expect(slotToRun(hourly, at('2026-11-22T10:00:00Z'), at('2026-11-22T10:59:59Z'))).toBeNull();
  });

  it('runs the slot that has just come', () => {
    expect(slotToRun(hourly, at('2026-11-22T10:00:00Z'), at('2026-11-22T11:00:00.250Z'))?.toISOString()).toBe(
      '2026-11-22T11:00:00.000Z',
    );
  });

  it('collapses many missed slots into one run for the latest, and then none until the next', () => {
    const slot = slotToRun(hourly, at('2026-11-20T10:00:00Z'), at('2026-11-22T11:30:00Z'));
    expect(slot?.toISOString()).toBe('2026-11-22T11:00:00.000Z');
    expect(slotToRun(hourly, slot as Date, at('2026-11-22T11:59:00Z'))).toBeNull();
  });
});
