import type { Tx } from '~/lib/db.server';
import { fromDatabaseError, NotificationError } from './errors';
import {
  type NotificationCategory,
  type NotificationPriority,
  notificationCategories,
  type OptionalChannel,
  optionalChannels,
  type PreferencesInput,
  type PushSubscriptionInput,
  type SendNotificationInput,
  sendNotificationSchema,
} from './notifications.schema';

/**
 * The notification center's domain functions. Every function takes the transaction of the
 * caller: `withUser` for anything a person causes (RLS applies, and private.notify checks that
 * the recipients belong to the caller's company), `withServiceRoleDangerously` for jobs.
 */

// ---------------------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------------------

/**
 * Notifies people of one event: an inbox entry each (live over Realtime), plus push/SMS/e-mail
 * by priority, their preferences and quiet hours (delivered by the notify-dispatch job).
 * Idempotent per (eventKey, recipient, channel): calling it again for the same event notifies
 * nobody twice. Returns how many inbox entries were new. Runs in the caller's transaction, so
 * nothing is sent if that transaction rolls back.
 */
export async function sendNotification(tx: Tx, input: SendNotificationInput): Promise<{ created: number }> {
  const parsed = sendNotificationSchema.safeParse(input);
  if (!parsed.success) throw new NotificationError('notifications.invalid_input', { cause: parsed.error });
  const v = parsed.data;
  try {
    const { rows } = await tx.query<{ created: number }>(
      `select private.notify(
         $1, $2::uuid[], $3::public.notification_category, $4, $5, $6,
         $7::public.notification_priority, $8::uuid, $9::uuid, $10::jsonb, $11::public.notification_channel[]
       ) as created`,
      [
        v.eventKey,
        v.recipients,
        v.category,
        v.title,
        v.body,
        v.link ?? null,
        v.priority,
        v.companyId ?? null,
        v.communityId ?? null,
        JSON.stringify(v.data),
        v.channels ?? null,
      ],
    );
    return { created: rows[0].created };
  } catch (err) {
    throw fromDatabaseError(err);
  }
}

// ---------------------------------------------------------------------------------------
// Inbox
// ---------------------------------------------------------------------------------------

export type InboxItem = {
  id: string;
  category: NotificationCategory;
  priority: NotificationPriority;
  title: string;
  body: string;
  link: string | null;
  createdAt: string;
  read: boolean;
};

export type InboxPage = { items: InboxItem[]; unread: number; nextCursor: string | null };

type InboxRow = {
  id: string;
  category: NotificationCategory;
  priority: NotificationPriority;
  title: string;
  body: string;
  link: string | null;
  created_at: string;
  read_at: string | null;
};

const toInboxItem = (r: InboxRow): InboxItem => ({
  id: r.id,
  category: r.category,
  priority: r.priority,
  title: r.title,
  body: r.body,
  link: r.link,
  createdAt: r.created_at,
  read: r.read_at !== null,
});

/** The caller's inbox, newest first, `limit` at a time; `before` is the previous page's cursor. */
export async function listInbox(
  tx: Tx,
  opts: { before?: string | null; limit?: number; unreadOnly?: boolean } = {},
): Promise<InboxPage> {
  const limit = Math.min(Math.max(opts.limit ?? 20, 1), 100);
  const { rows } = await tx.query<InboxRow>(
    `select id, category, priority, title, body, link, created_at, read_at
       from public.notifications
      where user_id = (select auth.uid())
        and ($1::timestamptz is null or created_at < $1::timestamptz)
        and (not $2 or read_at is null)
      order by created_at desc, id
      limit $3`,
    [opts.before ?? null, opts.unreadOnly ?? false, limit + 1],
  );
  const items = rows.slice(0, limit).map(toInboxItem);
  return {
    items,
    unread: await countUnread(tx),
    nextCursor: rows.length > limit ? rows[limit - 1].created_at : null,
  };
}

/** Unread inbox entries of the caller (the badge). */
export async function countUnread(tx: Tx): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `select count(*)::int as n from public.notifications
      where user_id = (select auth.uid()) and read_at is null`,
  );
  return rows[0].n;
}

/** Marks some of the caller's entries read; returns how many changed. */
export async function markRead(tx: Tx, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { rowCount } = await tx.query(
    `update public.notifications set read_at = now()
      where user_id = (select auth.uid()) and read_at is null and id = any ($1::uuid[])`,
    [ids],
  );
  return rowCount ?? 0;
}

/** Opens one of the caller's entries: marks it read and returns where it points (an app path), if anywhere. */
export async function openNotification(tx: Tx, id: string): Promise<string | null> {
  const { rows } = await tx.query<{ link: string | null }>(
    `update public.notifications set read_at = coalesce(read_at, now())
      where user_id = (select auth.uid()) and id = $1
      returning link`,
    [id],
  );
  return rows[0]?.link ?? null;
}

/** Marks every unread entry of the caller read. */
export async function markAllRead(tx: Tx): Promise<number> {
  const { rowCount } = await tx.query(
    `update public.notifications set read_at = now()
      where user_id = (select auth.uid()) and read_at is null`,
  );
  return rowCount ?? 0;
}

/** Marks the caller's entries of one event read (e.g. opening a notice reads its notification). */
export async function markEventRead(tx: Tx, eventKey: string): Promise<void> {
  await tx.query(
    `update public.notifications set read_at = now()
      where user_id = (select auth.uid()) and event_key = $1 and read_at is null`,
    [eventKey],
  );
}

// ---------------------------------------------------------------------------------------
// Preferences and quiet hours
// ---------------------------------------------------------------------------------------

export type Preferences = {
  channels: Record<NotificationCategory, Record<OptionalChannel, boolean>>;
  quietHoursEnabled: boolean;
  quietStart: string;
  quietEnd: string;
  timeZone: string;
};

/** What a missing preference row means (keep in step with private.enqueue_notifications, priority normal). */
export function defaultChannelEnabled(channel: OptionalChannel): boolean {
  return channel === 'push';
}

export async function getPreferences(tx: Tx): Promise<Preferences> {
  const prefs = await tx.query<{
    category: NotificationCategory;
    channel: OptionalChannel;
    enabled: boolean;
  }>(
    `select category, channel, enabled from public.notification_preferences where user_id = (select auth.uid())`,
  );
  const settings = await tx.query<{
    quiet_hours_enabled: boolean;
    quiet_start: string;
    quiet_end: string;
    time_zone: string;
  }>(
    `select quiet_hours_enabled, quiet_start, quiet_end, time_zone
       from public.notification_settings where user_id = (select auth.uid())`,
  );
  const channels = Object.fromEntries(
    notificationCategories.map((category) => [
      category,
      Object.fromEntries(optionalChannels.map((channel) => [channel, defaultChannelEnabled(channel)])),
    ]),
  ) as Preferences['channels'];
  for (const p of prefs.rows) channels[p.category][p.channel] = p.enabled;
  const s = settings.rows[0];
  return {
    channels,
    quietHoursEnabled: s?.quiet_hours_enabled ?? false,
    quietStart: (s?.quiet_start ?? '22:00').slice(0, 5),
    quietEnd: (s?.quiet_end ?? '07:00').slice(0, 5),
    timeZone: s?.time_zone ?? 'Asia/Shanghai',
  };
}

/** Saves every category × channel choice and the quiet hours of the caller. */
export async function savePreferences(tx: Tx, input: PreferencesInput): Promise<void> {
  const categories: string[] = [];
  const channels: string[] = [];
  const enabled: boolean[] = [];
  for (const category of notificationCategories) {
    for (const channel of optionalChannels) {
      categories.push(category);
      channels.push(channel);
      enabled.push(input.channels[category]?.[channel] ?? defaultChannelEnabled(channel));
    }
  }
  await tx.query(
    `insert into public.notification_preferences (user_id, category, channel, enabled)
     select (select auth.uid()), c.category, c.channel, c.enabled
       from unnest($1::public.notification_category[], $2::public.notification_channel[], $3::boolean[])
         as c (category, channel, enabled)
     on conflict (user_id, category, channel) do update set enabled = excluded.enabled`,
    [categories, channels, enabled],
  );
  await tx.query(
    `insert into public.notification_settings (user_id, quiet_hours_enabled, quiet_start, quiet_end, time_zone)
     values ((select auth.uid()), $1, $2::time, $3::time, $4)
     on conflict (user_id) do update set
       quiet_hours_enabled = excluded.quiet_hours_enabled, quiet_start = excluded.quiet_start,
       quiet_end = excluded.quiet_end, time_zone = excluded.time_zone`,
    [input.quietHoursEnabled, input.quietStart, input.quietEnd, input.timeZone],
  );
}

// ---------------------------------------------------------------------------------------
// Web Push devices
// ---------------------------------------------------------------------------------------

/** The application server key browsers subscribe with, or null when Web Push is not configured. */
export async function getVapidPublicKey(tx: Tx): Promise<string | null> {
  const { rows } = await tx.query<{ key: string | null }>('select private.vapid_public_key() as key');
  return rows[0]?.key ?? null;
}

export async function savePushSubscription(
  tx: Tx,
  sub: PushSubscriptionInput,
  userAgent: string | null,
): Promise<void> {
  const { rows } = await tx.query<{ id: string | null }>(
    'select private.save_push_subscription($1, $2, $3, $4) as id',
    [sub.endpoint, sub.keys.p256dh, sub.keys.auth, userAgent],
  );
  if (!rows[0]?.id) throw new NotificationError('notifications.forbidden');
}

export async function deletePushSubscription(tx: Tx, endpoint: string): Promise<void> {
  await tx.query(
    'delete from public.push_subscriptions where user_id = (select auth.uid()) and endpoint = $1',
    [endpoint],
  );
}

export type PushDevice = { id: string; userAgent: string | null; createdAt: string; endpoint: string };

export async function listPushDevices(tx: Tx): Promise<PushDevice[]> {
  const { rows } = await tx.query<{
    id: string;
    user_agent: string | null;
    created_at: string;
    endpoint: string;
  }>(
    `select id, user_agent, created_at, endpoint from public.push_subscriptions
      where user_id = (select auth.uid()) order by created_at desc`,
  );
  return rows.map((r) => ({
    id: r.id,
    userAgent: r.user_agent,
    createdAt: r.created_at,
    endpoint: r.endpoint,
  }));
}
