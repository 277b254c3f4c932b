import type { Enums } from '~/lib/database.types';
import type { Tx } from '~/lib/db.server';
import { getMyHouseholds, type Household } from './residents.server';
import { guarded, TenancyError } from './tenancy-errors';

/**
 * A resident's homes and households (我的房屋与家庭成员). The household itself comes from
 * `getMyHouseholds` (residents.server.ts); this adds what owners manage: pending invitations,
 * family members' grants, invite by phone (accepted when that phone signs in), and removal.
 */

export type HouseholdMemberDetail = {
  occupancyId: string;
  name: string;
  relation: Enums<'occupant_relation'>;
  isMe: boolean;
  hasAccount: boolean;
  grants: Enums<'household_grant'>[];
};

export type MyHome = Omit<Household, 'members'> & {
  isOwner: boolean;
  canSeeMembers: boolean;
  members: HouseholdMemberDetail[];
  invitations: {
    id: string;
    phone: string;
    name: string | null;
    relation: Enums<'occupant_relation'>;
    expiresAt: string;
  }[];
};

export async function getMyHomes(tx: Tx, userId: string): Promise<MyHome[]> {
  const homes = await getMyHouseholds(tx, userId);
  if (homes.length === 0) return [];
  const unitIds = homes.map((h) => h.unitId);
  const details = await tx.query<{
    id: string;
    unit_id: string;
    user_id: string | null;
    household_grants: Enums<'household_grant'>[];
  }>(
    `select o.id, o.unit_id, o.user_id, o.household_grants from public.occupancies o
     where o.unit_id = any ($1::uuid[]) and o.deleted_at is null`,
    [unitIds],
  );
  const byOccupancy = new Map(details.rows.map((d) => [d.id, d]));
  const invitations = await tx.query<{
    id: string;
    unit_id: string;
    phone: string;
    invitee_name: string | null;
    relation: Enums<'occupant_relation'>;
    expires_at: string;
  }>(
    `select i.id, i.unit_id, i.phone, i.invitee_name, i.relation, i.expires_at
     from public.household_invitations i
     where i.unit_id = any ($1::uuid[]) and i.status = 'pending' and i.expires_at > now()
       and i.unit_id = any ((select private.owned_unit_ids())::uuid[])
     order by i.created_at desc`,
    [unitIds],
  );
  const myGrants = new Map(
    details.rows.filter((d) => d.user_id === userId).map((d) => [d.unit_id, d.household_grants]),
  );
  return homes.map((h) => {
    const principal = h.myRelation === 'owner' || h.myRelation === 'tenant';
    return {
      ...h,
      isOwner: h.myRelation === 'owner',
      canSeeMembers: principal || (myGrants.get(h.unitId) ?? []).includes('members.read'),
      members: h.members.map((m) => {
        const d = byOccupancy.get(m.occupancyId);
        return {
          occupancyId: m.occupancyId,
          name: m.name,
          relation: m.relation,
          isMe: m.isMe,
          hasAccount: Boolean(d?.user_id),
          grants: d?.household_grants ?? [],
        };
      }),
      invitations: invitations.rows
        .filter((i) => i.unit_id === h.unitId)
        .map((i) => ({
          id: i.id,
          phone: i.phone,
          name: i.invitee_name,
          relation: i.relation,
          expiresAt: i.expires_at,
        })),
    };
  });
}

/** An owner invites a family member or tenant by phone; family members start with the default grants. */
export async function inviteHouseholdMember(
  tx: Tx,
  input: { unitId: string; phone: string; name: string; relation: 'family' | 'tenant' },
): Promise<string> {
  return guarded(async () => {
    const { rows } = await tx.query<{ id: string }>(
      `insert into public.household_invitations (unit_id, phone, invitee_name, relation, household_grants)
       values ($1, $2, nullif($3, ''), $4::public.occupant_relation,
               case when $4::public.occupant_relation = 'family' then '{members.read,repairs.read,repairs.create}'::public.household_grant[] else '{}' end)
       returning id`,
      [input.unitId, input.phone, input.name, input.relation],
    );
    return rows[0].id;
  });
}

export async function revokeHouseholdInvitation(tx: Tx, invitationId: string): Promise<void> {
  const { rowCount } = await guarded(() =>
    tx.query(
      `update public.household_invitations set status = 'revoked' where id = $1 and status = 'pending'`,
      [invitationId],
    ),
  );
  if (rowCount !== 1) throw new TenancyError('tenancy.forbidden');
}

export async function removeHouseholdMember(tx: Tx, occupancyId: string): Promise<void> {
  await guarded(() => tx.query('select private.remove_household_member($1)', [occupancyId]));
}

export async function setHouseholdGrants(tx: Tx, occupancyId: string, grants: string[]): Promise<void> {
  await guarded(() =>
    tx.query('select private.set_household_grants($1, $2::public.household_grant[])', [occupancyId, grants]),
  );
}
