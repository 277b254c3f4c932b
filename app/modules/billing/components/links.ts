/** Keeps the `?c=` community across links inside the billing pages. */
export function withCommunity(path: string, communityId: string | undefined | null): string {
  if (!communityId) return path;
  return `${path}${path.includes('?') ? '&' : '?'}c=${communityId}`;
}
