import { useNavigation, useRevalidator } from '@remix-run/react';
import type { RealtimeChannel } from '@supabase/supabase-js';
import { useEffect, useRef, useState } from 'react';
import { getSupabaseBrowserClient } from '~/lib/supabase.client';

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
 *
 * A revalidation starts only while the router is idle. Starting one during a navigation or a
 * form submission's reload would abort that load, and the router leaves the aborted load's
 * promise rejected with nobody listening (an "Uncaught (in promise) AbortError" in the
 * console). A broadcast that arrives while the router is busy is remembered and served as soon
 * as it is idle again, so no change is missed.
 */
export function useRepairChannel(
  topics: readonly string[],
  onEvent?: (event: string, payload: Record<string, unknown>) => void,
): ChannelState {
  const revalidator = useRevalidator();
  const navigation = useNavigation();
  const revalidateRef = useRef(revalidator.revalidate);
  revalidateRef.current = revalidator.revalidate;
  const busy = navigation.state !== 'idle' || revalidator.state !== 'idle';
  const busyRef = useRef(busy);
  busyRef.current = busy;
  // Set when a broadcast found the router busy; served by the effect below once it is idle.
  const [pending, setPending] = useState(false);
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
        if (cancelled) return;
        if (busyRef.current) setPending(true);
        else revalidateRef.current();
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

  // A broadcast that came in while the router was busy: reload once it is idle.
  useEffect(() => {
    if (pending && !busy) {
      setPending(false);
      revalidateRef.current();
    }
  }, [pending, busy]);

  return state;
}
