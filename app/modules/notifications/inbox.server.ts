import { data, redirect } from '@remix-run/node';
import { z } from 'zod';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { requireUser, type Surface, toViewer } from '~/modules/auth/session.server';
import { notificationCategories, optionalChannels, preferencesSchema } from './notifications.schema';
import {
  countUnread,
  getPreferences,
  listInbox,
  listPushDevices,
  markAllRead,
  markRead,
  openNotification,
  savePreferences,
} from './notifications.server';
import { vapidKeyForBrowser } from './vapid.server';

/**
 * Loader and action of the inbox page, shared by the three surfaces (/me/notifications,
 * /office/notifications, /console/notifications): authenticate, parse, call the domain, return.
 */
export async function loadInboxPage(request: Request, surface: Surface) {
  const { user, headers } = await requireUser(request, { surface });
  const url = new URL(request.url);
  const tab = url.searchParams.get('tab') === 'settings' ? 'settings' : 'inbox';
  const before = z.string().datetime({ offset: true }).safeParse(url.searchParams.get('before'));
  const page = await withUser(
    user.claims,
    async (tx) => ({
      inbox: await listInbox(tx, { before: before.success ? before.data : null, limit: 30 }),
      preferences: tab === 'settings' ? await getPreferences(tx) : null,
      devices: tab === 'settings' ? (await listPushDevices(tx)).length : 0,
    }),
    { readOnly: true },
  );
  const vapidPublicKey = tab === 'settings' ? await vapidKeyForBrowser(user.claims) : null;
  return data({ viewer: toViewer(user), tab, ...page, vapidPublicKey }, { headers });
}

const checkbox = z
  .string()
  .optional()
  .transform((v) => v === 'on');

const intents = {
  open: z.object({ id: z.string().uuid() }),
  markRead: z.object({ id: z.string().uuid() }),
  markAllRead: z.object({}),
  savePreferences: z
    .object({
      quietHoursEnabled: checkbox,
      quietStart: z.string(),
      quietEnd: z.string(),
      timeZone: z.string(),
    })
    .passthrough(),
};

export async function handleInboxAction(request: Request, surface: Surface) {
  const { user, headers } = await requireUser(request, { surface });
  const formData = await request.formData();
  const submission = parseIntentFormData(formData, intents);
  if (!submission.ok)
    return data({ ok: false as const, errors: submission.errors }, { status: 400, headers });
  if (submission.intent === 'open') {
    const link = await withUser(user.claims, (tx) => openNotification(tx, submission.data.id));
    // Links are app paths (a check constraint keeps external URLs out).
    if (link) return redirect(link, { headers });
  } else if (submission.intent === 'markRead') {
    await withUser(user.claims, (tx) => markRead(tx, [submission.data.id]));
  } else if (submission.intent === 'markAllRead') {
    await withUser(user.claims, markAllRead);
  } else {
    const channels = Object.fromEntries(
      notificationCategories.map((c) => [
        c,
        Object.fromEntries(optionalChannels.map((ch) => [ch, formData.get(`${c}.${ch}`) === 'on'])),
      ]),
    );
    const parsed = preferencesSchema.safeParse({ ...submission.data, channels });
    if (!parsed.success) {
      return data(
        { ok: false as const, errors: { form: [{ key: 'form.invalid' as const }] } },
        { status: 400, headers },
      );
    }
    await withUser(user.claims, (tx) => savePreferences(tx, parsed.data));
  }
  return data({ ok: true as const, errors: null }, { headers });
}

/** The unread badge of a surface's navigation (layout loaders). */
export function loadUnreadCount(claims: Parameters<typeof withUser>[0]): Promise<number> {
  return withUser(claims, countUnread, { readOnly: true });
}
