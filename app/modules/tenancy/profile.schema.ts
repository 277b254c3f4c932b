import { z } from 'zod';

/** The resident's profile (个人信息): name and emergency contact; the phone is the sign-in phone. */
export const profileFormSchemas = {
  save: z.object({
    fullName: z.string().min(1, 'tenancy.profile.nameRequired').max(64, 'tenancy.error.tooLong'),
    emergencyName: z.string().max(64, 'tenancy.error.tooLong').default(''),
    emergencyPhone: z
      .string()
      .default('')
      .transform((v) => v.replace(/[\s-]/g, ''))
      .pipe(z.string().regex(/^((\+?86)?1[3-9]\d{9})?$/, 'tenancy.phone.invalid')),
  }),
  avatar: z.object({}),
};
export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
