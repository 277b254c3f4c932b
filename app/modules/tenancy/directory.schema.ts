import { z } from 'zod';

/** Verification queue (房屋认证审核): approve, or reject with a reason. */
const uuid = z.string().uuid('form.invalid');

export const verifyFormSchemas = {
  approve: z.object({ requestId: uuid }),
  reject: z.object({
    requestId: uuid,
    reason: z.string().min(1, 'tenancy.verify.reasonRequired').max(500, 'tenancy.error.tooLong'),
  }),
};

export const residentsQuerySchema = z.object({
  tab: z.enum(['directory', 'queue']).catch('directory'),
  community: z.string().uuid().optional().catch(undefined),
  q: z
    .string()
    .trim()
    .max(32)
    .optional()
    .catch(undefined)
    .transform((v) => (v ? v : undefined)),
  page: z.coerce.number().int().min(1).max(1000).catch(1),
});
