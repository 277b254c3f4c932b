import { useFetcher } from '@remix-run/react';
import { BellRing } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { useT } from '~/i18n/use-t';

type State = 'checking' | 'unsupported' | 'unconfigured' | 'denied' | 'off' | 'on' | 'busy';

function urlBase64ToUint8Array(base64: string): Uint8Array {
  const padded = (base64 + '='.repeat((4 - (base64.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function registration(): Promise<ServiceWorkerRegistration> {
  return navigator.serviceWorker.register('/sw.js', { scope: '/' });
}

/**
 * Web Push on this device: registers the service worker (public/sw.js), subscribes with the
 * server's VAPID key and stores the subscription (resources/push-subscription), or undoes both.
 */
export function PushToggle({ vapidPublicKey }: { vapidPublicKey: string | null }) {
  const t = useT();
  const fetcher = useFetcher();
  const [state, setState] = useState<State>('checking');
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
      setState('unsupported');
      return;
    }
    if (!vapidPublicKey) {
      setState('unconfigured');
      return;
    }
    if (Notification.permission === 'denied') {
      setState('denied');
      return;
    }
    registration()
      .then((reg) => reg.pushManager.getSubscription())
      .then((sub) => setState(sub ? 'on' : 'off'))
      .catch(() => setState('unsupported'));
  }, [vapidPublicKey]);

  async function enable() {
    if (!vapidPublicKey) return;
    setState('busy');
    setFailed(false);
    try {
      if ((await Notification.requestPermission()) !== 'granted') {
        setState('denied');
        return;
      }
      const reg = await registration();
      const sub = await reg.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: urlBase64ToUint8Array(vapidPublicKey) as BufferSource,
      });
      fetcher.submit(
        { intent: 'subscribe', subscription: JSON.parse(JSON.stringify(sub)) },
        { method: 'post', action: '/resources/push-subscription', encType: 'application/json' },
      );
      setState('on');
    } catch {
      setFailed(true);
      setState('off');
    }
  }

  async function disable() {
    setState('busy');
    try {
      const sub = await (await registration()).pushManager.getSubscription();
      if (sub) {
        fetcher.submit(
          { intent: 'unsubscribe', endpoint: sub.endpoint },
          { method: 'post', action: '/resources/push-subscription', encType: 'application/json' },
        );
        await sub.unsubscribe();
      }
    } finally {
      setState('off');
    }
  }

  const message: Record<State, string> = {
    checking: t('notifications.push.checking'),
    unsupported: t('notifications.push.unsupported'),
    unconfigured: t('notifications.push.unconfigured'),
    denied: t('notifications.push.denied'),
    off: t('notifications.push.off'),
    on: t('notifications.push.on'),
    busy: t('notifications.push.checking'),
  };
  return (
    <Card className="flex-row items-center gap-3 px-5">
      <BellRing aria-hidden className="size-5 shrink-0 text-primary" />
      <div className="flex min-w-0 flex-1 flex-col">
        <p className="font-medium text-sm">{t('notifications.push.title')}</p>
        <p className="text-muted-foreground text-xs" aria-live="polite">
          {failed ? t('notifications.push.failed') : message[state]}
        </p>
      </div>
      {state === 'off' ? (
        <Button size="sm" onClick={enable}>
          {t('notifications.push.enable')}
        </Button>
      ) : state === 'on' ? (
        <Button size="sm" variant="outline" onClick={disable}>
          {t('notifications.push.disable')}
        </Button>
      ) : null}
    </Card>
  );
}
