/* 物业云 service worker: shows Web Push notifications (payload from app/modules/notifications/dispatch.ts
   renderPushPayload) and opens their link. Registered by PushToggle on the notification settings page. */

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  const title = data.title || '物业云';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || '',
      tag: data.id,
      renotify: Boolean(data.id),
      requireInteraction: data.priority === 'emergency',
      data: {
        link: typeof data.link === 'string' && data.link.startsWith('/') ? data.link : '/me/notifications',
      },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.link || '/', self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const w of windows) {
        if (new URL(w.url).origin === self.location.origin && 'focus' in w) {
          return w.navigate(url).then((c) => (c || w).focus());
        }
      }
      return self.clients.openWindow(url);
    }),
  );
});

// The browser replaced the subscription (keys rotated, expiry): store the new one.
self.addEventListener('pushsubscriptionchange', (event) => {
  const options = event.oldSubscription ? event.oldSubscription.options : null;
  if (!options) return;
  event.waitUntil(
    self.registration.pushManager.subscribe(options).then((subscription) =>
      fetch('/resources/push-subscription', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ intent: 'subscribe', subscription: subscription.toJSON() }),
      }),
    ),
  );
});
