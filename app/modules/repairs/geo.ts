/** Distance and direction between two WGS-84 points, for the technician's "on the way" view (no map tiles). */

export type Point = { latitude: number; longitude: number };

const EARTH_RADIUS_M = 6_371_000;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine). */
export function distanceMeters(a: Point, b: Point): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b in degrees clockwise from north, 0–360. */
export function bearingDegrees(a: Point, b: Point): number {
  const y = Math.sin(rad(b.longitude - a.longitude)) * Math.cos(rad(b.latitude));
  const x =
    Math.cos(rad(a.latitude)) * Math.sin(rad(b.latitude)) -
    Math.sin(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.cos(rad(b.longitude - a.longitude));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

/**
 * Minutes to cover a distance at an average speed, rounded up, at least 1. Streets are not
 * straight lines: the straight-line distance is stretched by a detour factor of 1.3.
 */
export function etaMinutes(distanceM: number, speedKmh: number): number {
  const metresPerMinute = (speedKmh * 1000) / 60;
  return Math.max(1, Math.ceil((distanceM * 1.3) / metresPerMinute));
}

/** Where the technician is, seen from the destination: distance, the direction they come from, ETA. */
export function approach(technician: Point, destination: Point, speedKmh: number) {
  const distance = distanceMeters(technician, destination);
  return {
    distanceM: Math.round(distance),
    /** Direction from the destination towards the technician (where to look for them). */
    bearing: Math.round(bearingDegrees(destination, technician)),
    etaMinutes: etaMinutes(distance, speedKmh),
  };
}
