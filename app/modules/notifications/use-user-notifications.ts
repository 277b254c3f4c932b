import { useEffect, useRef } from 'react';
import { getSupabaseBrowserClient } from '~/lib/supabase.client';
import { useIdleRevalidate } from '~/lib/use-idle-revalidate';
import type { NotificationCategory, NotificationPriority } from './notifications.schema';

/** What `private.broadcast_new_notifications` sends to `user:<uid>` (no body: read it under RLS). */
export type LiveNotification = {
  id: string;
  category: NotificationCategory;
  priority: NotificationPriority;
  title: string;
  link: string | null;
  created_at: string;
};

/**
 * Subscribes to the signed-in user's private topic `user:<uid>` while the component is mounted:
 * each new inbox entry calls `onNotification` and revalidates the page's loaders (badge, board,
 * inbox; deferred while a navigation is under way). One channel, removed on unmount.
 */
export function useUserNotifications(
  userId: string | null | undefined,
  onNotification?: (n: LiveNotification) => void,
): void {
  const revalidate = useIdleRevalidate();
  const latest = useRef({ onNotification, revalidate });
  latest.current = { onNotification, revalidate };

  useEffect(() => {
    if (!userId) return;
    const supabase = getSupabaseBrowserClient();
    const channel = supabase
      .channel(`user:${userId}`, { config: { private: true } })
      .on('broadcast', { event: 'notification' }, ({ payload }) => {
        latest.current.onNotification?.(payload as LiveNotification);
        latest.current.revalidate();
      });
    let active = true;
    // The user's token must be in the first join of a private channel.
    void supabase.realtime.setAuth().then(() => {
      if (active) channel.subscribe();
    });
    return () => {
      active = false;
      void supabase.removeChannel(channel);
    };
  }, [userId]);
}
