import type { MessageKey } from '~/i18n/zh-CN';
import type { Enums } from '~/lib/database.types';

/**
 * The company-role permission vocabulary (public.app_permission without platform.*), grouped
 * and labelled for the role editor. Adding a permission to the enum without a label here
 * fails the type check, so the editor never shows a raw code.
 */
export type CompanyPermission = Exclude<Enums<'app_permission'>, `platform.${string}`>;

export const permissionGroups: { key: MessageKey; permissions: CompanyPermission[] }[] = [
  {
    key: 'tenancy.perm.group.company',
    permissions: ['company.manage', 'role.manage', 'staff.read', 'staff.manage', 'audit.read', 'report.read'],
  },
  {
    key: 'tenancy.perm.group.property',
    permissions: ['community.read', 'community.manage', 'unit.read', 'unit.manage'],
  },
  {
    key: 'tenancy.perm.group.residents',
    permissions: ['resident.read', 'resident.manage', 'resident.verify'],
  },
  {
    key: 'tenancy.perm.group.repairs',
    permissions: ['repair.read', 'repair.create', 'repair.dispatch', 'repair.work'],
  },
  {
    key: 'tenancy.perm.group.billing',
    permissions: ['bill.read', 'bill.manage', 'payment.record', 'payment.refund'],
  },
  {
    key: 'tenancy.perm.group.services',
    permissions: [
      'notice.publish',
      'complaint.read',
      'complaint.handle',
      'activity.manage',
      'service.manage',
      'visitor.manage',
      'device.read',
      'device.manage',
    ],
  },
];

export const permissionLabels: Record<CompanyPermission, MessageKey> = {
  'company.manage': 'tenancy.perm.company.manage',
  'role.manage': 'tenancy.perm.role.manage',
  'staff.read': 'tenancy.perm.staff.read',
  'staff.manage': 'tenancy.perm.staff.manage',
  'audit.read': 'tenancy.perm.audit.read',
  'report.read': 'tenancy.perm.report.read',
  'community.read': 'tenancy.perm.community.read',
  'community.manage': 'tenancy.perm.community.manage',
  'unit.read': 'tenancy.perm.unit.read',
  'unit.manage': 'tenancy.perm.unit.manage',
  'resident.read': 'tenancy.perm.resident.read',
  'resident.manage': 'tenancy.perm.resident.manage',
  'resident.verify': 'tenancy.perm.resident.verify',
  'repair.read': 'tenancy.perm.repair.read',
  'repair.create': 'tenancy.perm.repair.create',
  'repair.dispatch': 'tenancy.perm.repair.dispatch',
  'repair.work': 'tenancy.perm.repair.work',
  'bill.read': 'tenancy.perm.bill.read',
  'bill.manage': 'tenancy.perm.bill.manage',
  'payment.record': 'tenancy.perm.payment.record',
  'payment.refund': 'tenancy.perm.payment.refund',
  'notice.publish': 'tenancy.perm.notice.publish',
  'complaint.read': 'tenancy.perm.complaint.read',
  'complaint.handle': 'tenancy.perm.complaint.handle',
  'activity.manage': 'tenancy.perm.activity.manage',
  'service.manage': 'tenancy.perm.service.manage',
  'visitor.manage': 'tenancy.perm.visitor.manage',
  'device.read': 'tenancy.perm.device.read',
  'device.manage': 'tenancy.perm.device.manage',
};

export const companyPermissions = permissionGroups.flatMap((g) => g.permissions);

export const relationLabels: Record<Enums<'occupant_relation'>, MessageKey> = {
  owner: 'tenancy.relation.owner',
  tenant: 'tenancy.relation.tenant',
  family: 'tenancy.relation.family',
};

export const unitUseLabels: Record<Enums<'unit_use'>, MessageKey> = {
  residential: 'tenancy.use.residential',
  commercial: 'tenancy.use.commercial',
  office: 'tenancy.use.office',
  parking: 'tenancy.use.parking',
  storage: 'tenancy.use.storage',
  other: 'tenancy.use.other',
};

/** A unit's address as shown on site: 1栋2单元1201 / Bldg 1, Ent. 2, 1201. */
export function unitAddress(u: { building: string; entrance: number | null; number: string }): string {
  return `${u.building}${u.entrance ? `${u.entrance}单元` : ''}${u.number}`;
}

/** A stored phone (86 + 11 digits) as staff read it: 138 0000 0017; other numbers as +<digits>. */
export function displayPhone(phone: string | null): string | null {
  if (!phone) return null;
  const cn = /^86(1\d{2})(\d{4})(\d{4})$/.exec(phone);
  return cn ? `${cn[1]} ${cn[2]} ${cn[3]}` : `+${phone}`;
}
