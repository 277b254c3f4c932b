import { z } from 'zod';

/** The resident's bind-a-unit form (绑定房屋) and its lookups. */
const uuid = z.string().uuid('tenancy.bind.pickCommunity');

export const bindFormSchemas = {
  request: z.object({
    communityId: uuid,
    buildingId: z.string().uuid('tenancy.bind.pickBuilding'),
    entrance: z
      .string()
      .optional()
      .transform((v) => (v ? Number(v) : null))
      .pipe(z.number().int().min(1).max(50).nullable()),
    number: z
      .string()
      .min(1, 'tenancy.bind.numberRequired')
      .max(16, 'tenancy.bind.numberRequired')
      .regex(/^[0-9A-Za-z-]+$/, 'tenancy.bind.numberRequired'),
    relation: z.enum(['owner', 'tenant', 'family'], { message: 'tenancy.bind.relationRequired' }),
    applicantName: z.string().min(1, 'tenancy.bind.nameRequired').max(64, 'tenancy.error.tooLong'),
    note: z.string().max(500, 'tenancy.error.tooLong').default(''),
  }),
  cancel: z.object({ requestId: z.string().uuid('form.invalid') }),
};

export const bindQuerySchema = z.object({
  q: z.string().trim().max(50).optional().catch(undefined),
  community: z.string().uuid().optional().catch(undefined),
});

export const PROOF_MAX_BYTES = 10 * 1024 * 1024;
export const IMAGE_TYPES: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
};
