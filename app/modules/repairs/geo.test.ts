import { describe, expect, it } from 'vitest';
import { approach, bearingDegrees, distanceMeters, etaMinutes } from './geo';

const office = { latitude: 30.2741, longitude: 120.1551 };

describe('geo', () => {
  it('measures great-circle distances', () => {
    // One degree of latitude is ~111.2 km everywhere.
    expect(distanceMeters({ latitude: 30, longitude: 120 }, { latitude: 31, longitude: 120 })).toBeCloseTo(
      111_195,
      -2,
    );
    expect(distanceMeters(office, office)).toBe(0);
    expect(distanceMeters(office, { latitude: 30.2822, longitude: 120.1622 })).toBeGreaterThan(1000);
  });

  it('gives bearings clockwise from north', () => {
    expect(bearingDegrees(office, { latitude: 30.3, longitude: 120.1551 })).toBeCloseTo(0, 0);
    expect(bearingDegrees(office, { latitude: 30.2741, longitude: 120.2 })).toBeCloseTo(90, 0);
    expect(bearingDegrees(office, { latitude: 30.2, longitude: 120.1551 })).toBeCloseTo(180, 0);
    expect(bearingDegrees(office, { latitude: 30.2741, longitude: 120.1 })).toBeCloseTo(270, 0);
  });

  it('estimates minutes with a detour factor, at least one', () => {
    expect(etaMinutes(0, 15)).toBe(1);
    // 1 km at 15 km/h = 4 min straight; streets make it 1.3 km → 5.2 → 6 min.
    expect(etaMinutes(1000, 15)).toBe(6);
    expect(etaMinutes(10_000, 60)).toBe(13);
  });

  it('describes the approach from the destination', () => {
    const a = approach({ latitude: 30.2822, longitude: 120.1622 }, office, 15);
    expect(a.distanceM).toBeGreaterThan(1000);
    expect(a.distanceM).toBeLessThan(1200);
    // The technician is north-east of the office.
    expect(a.bearing).toBeGreaterThan(20);
    expect(a.bearing).toBeLessThan(60);
    expect(a.etaMinutes).toBe(6);
  });
});
