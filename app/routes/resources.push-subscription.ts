import { type ActionFunctionArgs, data } from '@remix-run/node';
import { z } from 'zod';
import { withUser } from '~/lib/db.server';
import { requireUser } from '~/modules/auth/session.server';
import { pushSubscriptionSchema } from '~/modules/notifications/notifications.schema';
import { deletePushSubscription, savePushSubscription } from '~/modules/notifications/notifications.server';

const body = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('subscribe'), subscription: pushSubscriptionSchema }),
  z.object({ intent: z.literal('unsubscribe'), endpoint: z.string().url().max(1000) }),
]);

/** Saves or removes this device's Web Push subscription (JSON from PushToggle and the service worker). */
export async function action({ request }: ActionFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const parsed = body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return data({ ok: false }, { status: 400, headers });
  const input = parsed.data;
  await withUser(user.claims, (tx) =>
    input.intent === 'subscribe'
      ? savePushSubscription(tx, input.subscription, request.headers.get('User-Agent'))
      : deletePushSubscription(tx, input.endpoint),
  );
  return data({ ok: true }, { headers });
}
