import { useRouteLoaderData } from '@remix-run/react';
import { LiveNotifications } from './live-notifications';
import { NotificationBell } from './notification-bell';

/**
 * The bell with its unread badge plus the live subscription, for a surface layout whose loader
 * returns `{ viewer, unread }` (routes/office, routes/console).
 */
export function SurfaceNotifications({
  routeId,
  to,
  tone,
}: {
  routeId: string;
  to: string;
  tone?: 'light' | 'dark';
}) {
  const layout = useRouteLoaderData(routeId) as
    | { viewer?: { id: string } | null; unread?: number }
    | undefined;
  if (!layout?.viewer) return null;
  return (
    <>
      <NotificationBell count={layout.unread ?? 0} to={to} tone={tone} />
      <LiveNotifications userId={layout.viewer.id} />
    </>
  );
}
