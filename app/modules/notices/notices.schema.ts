import { z } from 'zod';
import { notificationPriorities } from '~/modules/notifications/notifications.schema';

/** Mirrors of the database enums (supabase/migrations/20261122201000_notices.sql). */
export const noticeCategories = ['general', 'outage', 'activity', 'safety', 'fee'] as const;
export type NoticeCategory = (typeof noticeCategories)[number];

export const noticeStatuses = ['draft', 'scheduled', 'published', 'withdrawn'] as const;
export type NoticeStatus = (typeof noticeStatuses)[number];

export const noticeAudiences = ['community', 'buildings', 'units'] as const;
export type NoticeAudience = (typeof noticeAudiences)[number];

/** `2026-11-23T08:00` as a datetime-local input sends it. */
const localDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'notices.form.dateInvalid')
  .optional()
  .or(z.literal('').transform(() => undefined));

/** The editor form (create and edit). Dates are local times in `timeZone` (the browser's). */
export const noticeFormSchema = z
  .object({
    communityId: z.string().uuid('notices.form.communityRequired'),
    title: z.string().trim().min(1, 'notices.form.titleRequired').max(100, 'notices.form.titleTooLong'),
    category: z.enum(noticeCategories),
    priority: z.enum(notificationPriorities),
    pinned: z.boolean(),
    audience: z.enum(noticeAudiences),
    buildingIds: z.array(z.string().uuid()).max(500),
    unitIds: z.array(z.string().uuid()).max(5000),
    bodyHtml: z.string().max(50_000, 'notices.form.bodyTooLong'),
    expiresAt: localDateTime,
    publishMode: z.enum(['draft', 'now', 'schedule']),
    publishAt: localDateTime,
    timeZone: z.string().max(64).default('Asia/Shanghai'),
  })
  .superRefine((v, ctx) => {
    if (v.audience === 'buildings' && v.buildingIds.length === 0)
      ctx.addIssue({ code: 'custom', path: ['buildingIds'], message: 'notices.form.audienceEmpty' });
    if (v.audience === 'units' && v.unitIds.length === 0)
      ctx.addIssue({ code: 'custom', path: ['unitIds'], message: 'notices.form.audienceEmpty' });
    if (v.publishMode === 'schedule' && !v.publishAt)
      ctx.addIssue({ code: 'custom', path: ['publishAt'], message: 'notices.form.publishAtRequired' });
  });
export type NoticeFormInput = z.infer<typeof noticeFormSchema>;

/** Reads the editor's form data: repeated checkboxes become arrays, checkboxes booleans. */
export function readNoticeForm(formData: FormData) {
  const text = (name: string) => {
    const v = formData.get(name);
    return typeof v === 'string' ? v.trim() : undefined;
  };
  const list = (name: string) =>
    formData.getAll(name).filter((v): v is string => typeof v === 'string' && v !== '');
  return noticeFormSchema.safeParse({
    communityId: text('communityId'),
    title: text('title'),
    category: text('category'),
    priority: text('priority'),
    pinned: formData.get('pinned') === 'on',
    audience: text('audience'),
    buildingIds: list('buildingIds'),
    unitIds: list('unitIds'),
    bodyHtml: typeof formData.get('bodyHtml') === 'string' ? String(formData.get('bodyHtml')) : '',
    expiresAt: text('expiresAt'),
    publishMode: text('publishMode'),
    publishAt: text('publishAt'),
    timeZone: text('timeZone') || undefined,
  });
}

export const staffListFilterSchema = z.object({
  status: z.enum(noticeStatuses).optional().catch(undefined),
  community: z.string().uuid().optional().catch(undefined),
});

export const residentListFilterSchema = z.object({
  category: z.enum(noticeCategories).optional().catch(undefined),
});

export const withdrawSchema = z.object({ reason: z.string().trim().max(200).default('') });
