import { z } from 'zod';

/** Vocabulary shared by server and browser (mirrors the enums in the repairs migrations). */
export const REPAIR_STATUSES = [
  'pending',
  'accepted',
  'dispatched',
  'in_progress',
  'paused',
  'completed',
  'rated',
  'cancelled',
  'returned',
] as const;
export type RepairStatus = (typeof REPAIR_STATUSES)[number];

export const OPEN_STATUSES: readonly RepairStatus[] = [
  'pending',
  'accepted',
  'dispatched',
  'in_progress',
  'paused',
];
export const DONE_STATUSES: readonly RepairStatus[] = ['completed', 'rated'];

export const TIME_SLOTS = ['any', 'morning', 'afternoon', 'evening'] as const;
export type TimeSlot = (typeof TIME_SLOTS)[number];

export const CATEGORY_ICONS = [
  'droplets',
  'zap',
  'door-open',
  'arrow-up-down',
  'trees',
  'flame',
  'wifi',
  'wrench',
  'lightbulb',
  'shield',
  'car',
  'paintbrush',
] as const;
export type CategoryIcon = (typeof CATEGORY_ICONS)[number];

export const EVENT_TYPES = [
  'created',
  'accepted',
  'dispatched',
  'reassigned',
  'declined',
  'recalled',
  'appointment_set',
  'arrived',
  'started',
  'paused',
  'resumed',
  'completed',
  'rated',
  'cancelled',
  'merged',
  'returned',
  'resubmitted',
  'reopened',
  'edited',
] as const;
export type RepairEventType = (typeof EVENT_TYPES)[number];

/** Media limits, enforced again by the bucket, the storage policies and the repair_media trigger. */
export const MEDIA_LIMITS = {
  maxImages: 9,
  maxVideos: 3,
  imageMaxBytes: 10 * 1024 * 1024,
  videoMaxBytes: 100 * 1024 * 1024,
  imageTypes: ['image/jpeg', 'image/png', 'image/webp'],
  videoTypes: ['video/mp4', 'video/quicktime', 'video/webm'],
  /** Longest side of a photo after compression in the browser. */
  imageMaxSide: 1600,
} as const;
export const MEDIA_BUCKET = 'repair-media';

const uuid = z.string().uuid('form.invalid');
const optionalText = (max: number) =>
  z
    .string()
    .max(max, 'repairs.form.tooLong')
    .optional()
    .transform((v) => (v ? v : null));

/** Mainland mobile or any number with country code: digits, 7–15 long after normalising. */
const phone = z
  .string()
  .optional()
  .transform((v) => (v ? v.replace(/[\s-]/g, '') : null))
  .refine((v) => v === null || /^\+?[1-9][0-9]{6,14}$/.test(v), 'repairs.form.phoneInvalid');

/** Object paths of uploaded media, posted as one JSON array field. */
const mediaPaths = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v) return [] as string[];
    try {
      const parsed = z
        .array(z.string().regex(/^[0-9a-f-]{36}\/[0-9a-f-]{36}\.(jpg|jpeg|png|webp|mp4|mov|webm)$/))
        .max(MEDIA_LIMITS.maxImages + MEDIA_LIMITS.maxVideos)
        .parse(JSON.parse(v));
      return parsed;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'repairs.media.invalid' });
      return z.NEVER;
    }
  });

export const reportSchema = z
  .object({
    area: z.enum(['home', 'public']),
    unitId: uuid.optional(),
    communityId: uuid.optional(),
    categoryId: uuid,
    locationNote: optionalText(100),
    description: z.string().min(1, 'repairs.form.descriptionRequired').max(1000, 'repairs.form.tooLong'),
    preferredDate: z
      .string()
      .optional()
      .transform((v) => v || null)
      .refine((v) => v === null || /^\d{4}-\d{2}-\d{2}$/.test(v), 'form.invalid'),
    preferredSlot: z.enum(TIME_SLOTS).default('any'),
    contactName: optionalText(64),
    contactPhone: phone,
    media: mediaPaths,
  })
  .superRefine((v, ctx) => {
    if (v.area === 'home' && !v.unitId)
      ctx.addIssue({ code: 'custom', path: ['unitId'], message: 'repairs.form.unitRequired' });
    if (v.area === 'public' && !v.communityId)
      ctx.addIssue({ code: 'custom', path: ['communityId'], message: 'repairs.form.communityRequired' });
    if (v.area === 'public' && !v.locationNote)
      ctx.addIssue({ code: 'custom', path: ['locationNote'], message: 'repairs.form.locationRequired' });
  });
export type ReportInput = z.output<typeof reportSchema>;

const reason = z.string().min(1, 'repairs.form.reasonRequired').max(500, 'repairs.form.tooLong');
const score = z.coerce.number().int().min(1, 'repairs.rate.required').max(5, 'form.invalid');

/** Resident intents on the ticket page. */
export const residentIntents = {
  cancel: z.object({ reason: optionalText(500) }),
  resubmit: z.object({
    description: z.string().min(1, 'repairs.form.descriptionRequired').max(1000, 'repairs.form.tooLong'),
  }),
  reopen: z.object({ reason }),
  rate: z.object({
    speed: score,
    quality: score,
    attitude: score,
    comment: optionalText(500),
    media: mediaPaths,
  }),
  message: z.object({
    body: z.string().min(1, 'repairs.message.required').max(1000, 'repairs.form.tooLong'),
    media: mediaPaths,
  }),
};

/** "我也遇到了" on the report form. */
export const followSchema = z.object({ ticketId: uuid });

/** Office intents on a ticket. */
export const officeIntents = {
  accept: z.object({}),
  dispatch: z.object({ assigneeId: uuid }),
  recall: z.object({ reason }),
  return: z.object({ reason }),
  cancel: z.object({ reason }),
  appointment: z.object({
    appointmentAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'repairs.form.appointmentInvalid'),
  }),
  priority: z.object({ priority: z.enum(['normal', 'urgent']) }),
  category: z.object({ categoryId: uuid }),
  note: z.object({ body: z.string().min(1, 'repairs.message.required').max(1000, 'repairs.form.tooLong') }),
  message: z.object({
    body: z.string().min(1, 'repairs.message.required').max(1000, 'repairs.form.tooLong'),
    media: mediaPaths,
  }),
  merge: z.object({ targetNumber: z.string().regex(/^BX\d{6}-\d{6}$/, 'repairs.merge.numberInvalid') }),
  start: z.object({}),
  pause: z.object({ reason }),
  resume: z.object({}),
  complete: z.object({ note: optionalText(1000), materials: z.string().optional(), media: mediaPaths }),
};

/** Technician intents (the task view). */
export const taskIntents = {
  arrive: z.object({}),
  start: z.object({}),
  pause: z.object({ reason }),
  resume: z.object({}),
  decline: z.object({ reason }),
  appointment: officeIntents.appointment,
  complete: officeIntents.complete,
  message: officeIntents.message,
  location: z.object({
    latitude: z.coerce.number().min(-90).max(90),
    longitude: z.coerce.number().min(-180).max(180),
    accuracy: z.coerce.number().min(0).max(100000).optional(),
  }),
  stopSharing: z.object({}),
};

/** Materials as typed in the completion form: one per line, "name quantity unit" (数量 and 单位 optional). */
export type Material = { name: string; quantity: number; unit: string };
export function parseMaterials(text: string | undefined): Material[] {
  if (!text) return [];
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, 20)
    .map((line) => {
      const m = /^(.+?)\s+(\d+(?:\.\d+)?)\s*(\S{0,8})$/.exec(line);
      return m
        ? { name: m[1].slice(0, 40), quantity: Number(m[2]), unit: m[3] }
        : { name: line.slice(0, 40), quantity: 1, unit: '' };
    });
}

/** Back-office queue filters (search params). */
export const queueFilterSchema = z.object({
  community: uuid.optional().catch(undefined),
  status: z
    .enum([...REPAIR_STATUSES, 'open', 'all'])
    .optional()
    .catch(undefined),
  category: uuid.optional().catch(undefined),
  building: uuid.optional().catch(undefined),
  assignee: uuid.optional().catch(undefined),
  overdue: z
    .enum(['1'])
    .optional()
    .catch(undefined)
    .transform((v) => v === '1'),
  q: z.string().max(40).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10000).optional().catch(undefined),
});
export type QueueFilter = z.output<typeof queueFilterSchema>;

export const categoryFormSchema = z.object({
  id: uuid.optional(),
  communityId: uuid,
  name: z.string().min(1, 'repairs.settings.nameRequired').max(16, 'repairs.form.tooLong'),
  nameEn: optionalText(32),
  icon: z.enum(CATEGORY_ICONS),
  forHome: z.literal('on').optional().transform(Boolean),
  forPublic: z.literal('on').optional().transform(Boolean),
  responseMinutes: z.coerce.number().int().min(5, 'form.invalid').max(10080, 'form.invalid'),
  resolveHours: z.coerce.number().int().min(1, 'form.invalid').max(720, 'form.invalid'),
  active: z.literal('on').optional().transform(Boolean),
});

export const ruleFormSchema = z.object({
  communityId: uuid,
  categoryId: z
    .string()
    .optional()
    .transform((v) => v || null)
    .pipe(uuid.nullable()),
  buildingId: z
    .string()
    .optional()
    .transform((v) => v || null)
    .pipe(uuid.nullable()),
  strategy: z.enum(['technician', 'least_loaded']),
  technicianId: z
    .string()
    .optional()
    .transform((v) => v || null)
    .pipe(uuid.nullable()),
});

export const locationSettingsSchema = z.object({
  communityId: uuid,
  latitude: z
    .string()
    .optional()
    .transform((v) => (v ? Number(v) : null))
    .pipe(z.number().min(-90).max(90).nullable()),
  longitude: z
    .string()
    .optional()
    .transform((v) => (v ? Number(v) : null))
    .pipe(z.number().min(-180).max(180).nullable()),
  travelSpeedKmh: z.coerce.number().min(1).max(120),
});
