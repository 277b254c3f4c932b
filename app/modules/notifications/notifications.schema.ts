import { z } from 'zod';

/** Mirrors of the database enums (supabase/migrations/20261122200000_notifications.sql). */
export const notificationCategories = ['bills', 'repairs', 'notices', 'activities', 'account'] as const;
export type NotificationCategory = (typeof notificationCategories)[number];

export const notificationChannels = ['in_app', 'push', 'sms', 'email'] as const;
export type NotificationChannelName = (typeof notificationChannels)[number];

/** The channels a person can switch per category (the inbox is always on). */
export const optionalChannels = ['push', 'sms', 'email'] as const;
export type OptionalChannel = (typeof optionalChannels)[number];

export const notificationPriorities = ['normal', 'important', 'emergency'] as const;
export type NotificationPriority = (typeof notificationPriorities)[number];

/** An app-relative path (`/notices/…`); never an external URL. */
const appPath = z
  .string()
  .max(500)
  .regex(/^\/[^/\\]/, 'must be an app-relative path');

/** Input of `sendNotification()`: one event, many recipients. */
export const sendNotificationSchema = z.object({
  /** Idempotency key of the event, e.g. `repair:<id>:done`. Sending it again notifies nobody twice. */
  eventKey: z.string().trim().min(1).max(200),
  recipients: z.array(z.string().uuid()).max(100_000),
  category: z.enum(notificationCategories),
  title: z.string().trim().min(1).max(200),
  body: z.string().max(2000).default(''),
  link: appPath.optional(),
  priority: z.enum(notificationPriorities).default('normal'),
  /** The sending company; required when sending as a signed-in user (withUser). */
  companyId: z.string().uuid().optional(),
  communityId: z.string().uuid().optional(),
  data: z.record(z.unknown()).default({}),
  /** Restrict push/SMS/e-mail to these channels (the inbox entry is always written). */
  channels: z.array(z.enum(notificationChannels)).optional(),
});
export type SendNotificationInput = z.input<typeof sendNotificationSchema>;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');

/** The preferences form: one checkbox per category × channel, plus quiet hours. */
export const preferencesSchema = z.object({
  channels: z.record(z.enum(notificationCategories), z.record(z.enum(optionalChannels), z.boolean())),
  quietHoursEnabled: z.boolean(),
  quietStart: clock,
  quietEnd: clock,
  timeZone: z
    .string()
    .regex(/^[A-Za-z]+(\/[A-Za-z0-9_+-]+){0,2}$/)
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'unknown time zone'),
});
export type PreferencesInput = z.infer<typeof preferencesSchema>;

/** `PushSubscription.toJSON()` as the browser sends it. */
export const pushSubscriptionSchema = z.object({
  endpoint: z
    .string()
    .url()
    .max(1000)
    .regex(/^https?:\/\//),
  keys: z.object({
    p256dh: z.string().regex(/^[A-Za-z0-9_-]{80,100}={0,2}$/),
    auth: z.string().regex(/^[A-Za-z0-9_-]{16,32}={0,2}$/),
  }),
});
export type PushSubscriptionInput = z.infer<typeof pushSubscriptionSchema>;
