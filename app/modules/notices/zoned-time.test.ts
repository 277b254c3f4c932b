import { describe, expect, it } from 'vitest';
import { instantToZoned, zonedToInstant } from './zoned-time';

describe('zoned time', () => {
  it('reads a local time in China and in UTC', () => {
    expect(zonedToInstant('2026-11-23T08:00', 'Asia/Shanghai').toISOString()).toBe(
      '2026-11-23T00:00:00.000Z',
    );
    expect(zonedToInstant('2026-11-23T08:00', 'UTC').toISOString()).toBe('2026-11-23T08:00:00.000Z');
  });
  it('handles daylight saving time and round-trips', () => {
    expect(zonedToInstant('2026-07-01T12:00', 'Europe/Berlin').toISOString()).toBe(
      '2026-07-01T10:00:00.000Z',
    );
    expect(instantToZoned('2026-07-01T10:00:00Z', 'Europe/Berlin')).toBe('2026-07-01T12:00');
    expect(instantToZoned('2026-11-23T00:00:00Z', 'Asia/Shanghai')).toBe('2026-11-23T08:00');
  });
  it('falls back to China time for an unknown zone', () => {
    expect(zonedToInstant('2026-11-23T08:00', 'Mars/Olympus').toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });
});
