import type { RealtimeChannel } from '@supabase/supabase-js';
import { useEffect, useRef, useState } from 'react';
import { getSupabaseBrowserClient } from '~/lib/supabase.client';
import { useIdleRevalidate } from '~/lib/use-idle-revalidate';

export type ChannelState = 'connecting' | 'live' | 'offline';

/** Topic names (authorised by RLS on realtime.messages, see the repairs access migration). */
export const repairTopics = {
  ticket: (id: string) => `repair:ticket:${id}`,
  community: (id: string) => `repair:community:${id}`,
};

/**
 * Keeps a page live: joins the private repair topics and, on any broadcast, runs the page's
 * loaders again (the payload only says what changed; data is read under RLS). After a
 * reconnect it revalidates once, to catch what was missed. Cleaned up on unmount.
 * Reloads go through useIdleRevalidate: never in the middle of a navigation or a submission.
 */
export function useRepairChannel(
  topics: readonly string[],
  onEvent?: (event: string, payload: Record<string, unknown>) => void,
): ChannelState {
  const reload = useIdleRevalidate();
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;
  const [state, setState] = useState<ChannelState>('connecting');
  const key = topics.join('|');

  useEffect(() => {
    if (!key) return;
    const supabase = getSupabaseBrowserClient();
    const channels: RealtimeChannel[] = [];
    const joined = new Set<string>();
    let everJoined = false;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (!cancelled) reloadRef.current();
      }, 100);
    };
    void (async () => {
      // Private channels authorise with the user's access token.
      await supabase.realtime.setAuth();
      if (cancelled) return;
      for (const topic of key.split('|')) {
        const channel = supabase
          .channel(topic, { config: { private: true } })
          .on('broadcast', { event: '*' }, (message) => {
            onEventRef.current?.(message.event, (message.payload ?? {}) as Record<string, unknown>);
            refresh();
          })
          .subscribe((status) => {
            if (status === 'SUBSCRIBED') {
              joined.add(topic);
              if (joined.size === channels.length) {
                if (everJoined) refresh();
                everJoined = true;
                setState('live');
              }
            } else {
              joined.delete(topic);
              setState('offline');
            }
          });
        channels.push(channel);
      }
    })();
    return () => {
      cancelled = true;
      clearTimeout(timer);
      for (const channel of channels) void supabase.removeChannel(channel);
    };
  }, [key]);

  return state;
}
