import { z } from 'zod';
import { companyPermissions } from './permissions';

/** Forms of the staff screens (员工与权限), told apart by `intent`. */
const uuid = z.string().uuid('form.invalid');
const optionalCommunity = z
  .string()
  .optional()
  .transform((v) => (v ? v : null))
  .pipe(z.string().uuid('form.invalid').nullable());

export const inviteStaffSchema = z.object({
  companyId: uuid,
  phone: z
    .string()
    .min(1, 'tenancy.phone.required')
    .transform((v) => v.replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^(\+?86)?1[3-9]\d{9}$/, 'tenancy.phone.invalid')),
  fullName: z.string().max(64, 'tenancy.error.tooLong').default(''),
  jobTitle: z.string().max(32, 'tenancy.error.tooLong').default(''),
  roleId: uuid,
  communityId: optionalCommunity,
});

export const staffFormSchemas = {
  invite: inviteStaffSchema,
  revokeInvitation: z.object({ invitationId: uuid }),
  setStatus: z.object({ memberId: uuid, status: z.enum(['active', 'suspended']) }),
  assignRole: z.object({ companyId: uuid, memberId: uuid, roleId: uuid, communityId: optionalCommunity }),
  removeAssignment: z.object({ assignmentId: uuid }),
};

const permissionSchema = z.enum(companyPermissions as [string, ...string[]]);

export const roleFormSchemas = {
  savePermissions: z.object({
    roleId: uuid,
    /** Comma-separated permission codes (the checkbox group is joined on the client and on the server alike). */
    permissions: z
      .string()
      .default('')
      .transform((v) => v.split(',').filter(Boolean))
      .pipe(z.array(permissionSchema)),
  }),
  createRole: z.object({
    companyId: uuid,
    name: z.string().min(1, 'tenancy.roles.nameRequired').max(32, 'tenancy.error.tooLong'),
    description: z.string().max(200, 'tenancy.error.tooLong').default(''),
  }),
};
