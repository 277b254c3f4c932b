import { z } from 'zod';

/** My units and household (我的房屋): invite a member by phone, remove one, set what family members see. */
const uuid = z.string().uuid('form.invalid');
export const householdGrants = [
  'members.read',
  'bills.read',
  'bills.pay',
  'repairs.read',
  'repairs.create',
  'visitors.manage',
] as const;

export const householdFormSchemas = {
  invite: z.object({
    unitId: uuid,
    phone: z
      .string()
      .min(1, 'tenancy.phone.required')
      .transform((v) => v.replace(/[\s-]/g, ''))
      .pipe(z.string().regex(/^(\+?86)?1[3-9]\d{9}$/, 'tenancy.phone.invalid')),
    name: z.string().max(64, 'tenancy.error.tooLong').default(''),
    relation: z.enum(['family', 'tenant']).default('family'),
  }),
  revokeInvitation: z.object({ invitationId: uuid }),
  remove: z.object({ occupancyId: uuid }),
  setGrants: z.object({
    occupancyId: uuid,
    grants: z
      .string()
      .default('')
      .transform((v) => v.split(',').filter(Boolean))
      .pipe(z.array(z.enum(householdGrants))),
  }),
};
