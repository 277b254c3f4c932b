import type { SupabaseClient } from '@supabase/supabase-js';
import type { Enums } from '~/lib/database.types';
import type { Tx } from '~/lib/db.server';
import { guarded } from './tenancy-errors';

/**
 * The staff side of residents (住户): the directory is `searchResidentDirectory` in
 * residents.server.ts (the DB owner's indexed search); this file holds the verification
 * queue of unit binding requests, decided through private.approve/reject_binding_request.
 */

export const PROOF_BUCKET = 'binding-proofs';

export type BindingRequestItem = {
  id: string;
  applicantName: string;
  phone: string | null;
  relation: Enums<'occupant_relation'>;
  note: string | null;
  proofPath: string | null;
  proofUrl: string | null;
  communityName: string;
  building: string;
  entrance: number | null;
  number: string;
  createdAt: string;
  /** Registered residents of the unit, to compare the claim against. */
  knownOccupants: { name: string; relation: Enums<'occupant_relation'> }[];
};

/** Pending requests in the communities of a company where the caller may verify, oldest first. */
export async function listPendingBindingRequests(
  tx: Tx,
  companyId: string,
  communityId?: string,
): Promise<BindingRequestItem[]> {
  const { rows } = await tx.query<{
    id: string;
    applicant_name: string;
    phone: string | null;
    relation: Enums<'occupant_relation'>;
    note: string | null;
    proof_path: string | null;
    community_name: string;
    building: string;
    entrance: number | null;
    number: string;
    created_at: string;
    known: { name: string; relation: Enums<'occupant_relation'> }[];
  }>(
    `select r.id, r.applicant_name, au.phone, r.relation, r.note, r.proof_path, c.name as community_name,
            b.name as building, u.entrance, u.number, r.created_at,
            coalesce((select json_agg(json_build_object('name', o.name, 'relation', o.relation) order by o.relation, o.name)
                      from public.occupancies o
                      where o.company_id = r.company_id and o.community_id = r.community_id and o.unit_id = r.unit_id
                        and o.deleted_at is null and (o.move_out_date is null or o.move_out_date >= current_date)), '[]') as known
     from public.unit_binding_requests r
     join public.units u on u.id = r.unit_id
     join public.buildings b on b.id = u.building_id
     join public.communities c on c.id = r.community_id
     left join public.profiles au on au.id = r.user_id
     where r.company_id = $1 and r.status = 'pending'
       and r.community_id = any ((select private.communities_with_permission('resident.verify'))::uuid[])
       and ($2::uuid is null or r.community_id = $2)
     order by r.created_at
     limit 200`,
    [companyId, communityId ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    applicantName: r.applicant_name,
    phone: r.phone,
    relation: r.relation,
    note: r.note,
    proofPath: r.proof_path,
    proofUrl: null,
    communityName: r.community_name,
    building: r.building,
    entrance: r.entrance,
    number: r.number,
    createdAt: r.created_at,
    knownOccupants: r.known,
  }));
}

/** Signed URLs (10 minutes) for the proof photos, created as the signed-in staff member. */
export async function signProofs(
  supabase: SupabaseClient,
  items: BindingRequestItem[],
): Promise<BindingRequestItem[]> {
  const paths = items.flatMap((i) => (i.proofPath ? [i.proofPath] : []));
  if (paths.length === 0) return items;
  const { data, error } = await supabase.storage.from(PROOF_BUCKET).createSignedUrls(paths, 600);
  if (error) throw error;
  const byPath = new Map(data.map((d) => [d.path, d.error ? null : d.signedUrl]));
  return items.map((i) => ({ ...i, proofUrl: i.proofPath ? (byPath.get(i.proofPath) ?? null) : null }));
}

export async function approveBindingRequest(tx: Tx, requestId: string): Promise<string> {
  return guarded(async () => {
    const { rows } = await tx.query<{ occupancy_id: string }>(
      'select private.approve_binding_request($1) as occupancy_id',
      [requestId],
    );
    return rows[0].occupancy_id;
  });
}

export async function rejectBindingRequest(tx: Tx, requestId: string, reason: string): Promise<void> {
  await guarded(() => tx.query('select private.reject_binding_request($1, $2)', [requestId, reason]));
}
