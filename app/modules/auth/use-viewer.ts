import { useMatches } from '@remix-run/react';
import type { Viewer } from './viewer';

/**
 * The signed-in user of the current page: routes that know it return `{ viewer }` from their
 * loader (the surface layouts do). Null on pages rendered without one.
 */
export function useViewer(): Viewer | null {
  const matches = useMatches();
  for (let i = matches.length - 1; i >= 0; i--) {
    const data = matches[i].data as { viewer?: Viewer | null } | undefined;
    if (data && typeof data === 'object' && data.viewer) return data.viewer;
  }
  return null;
}
