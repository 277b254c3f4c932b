import type { SupabaseClient } from '@supabase/supabase-js';
import type { Enums } from '~/lib/database.types';
import type { Tx } from '~/lib/db.server';
import { IMAGE_TYPES, PROOF_MAX_BYTES } from './binding.schema';
import { PROOF_BUCKET } from './directory.server';
import { guarded, TenancyError } from './tenancy-errors';

/**
 * A resident asks to be linked to a unit (房屋认证). Before verification they cannot read
 * communities or units, so the form uses the definer helpers made for it: communities by name,
 * the buildings of one, and the unit at an exact address (units are never listed).
 */

export type BindingCommunity = {
  id: string;
  name: string;
  city: string | null;
  district: string | null;
  companyName: string;
};

export async function searchCommunities(tx: Tx, query: string): Promise<BindingCommunity[]> {
  if (query.trim().length < 2) return [];
  const { rows } = await tx.query<{
    id: string;
    name: string;
    city: string | null;
    district: string | null;
    company_name: string;
  }>('select * from private.search_communities_for_binding($1)', [query]);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    city: r.city,
    district: r.district,
    companyName: r.company_name,
  }));
}

export async function communityForBinding(tx: Tx, communityId: string): Promise<BindingCommunity | null> {
  const { rows } = await tx.query<{
    id: string;
    name: string;
    city: string | null;
    district: string | null;
    company_name: string;
  }>('select * from private.community_for_binding($1)', [communityId]);
  const r = rows[0];
  return r
    ? { id: r.id, name: r.name, city: r.city, district: r.district, companyName: r.company_name }
    : null;
}

export type BindingBuilding = { id: string; name: string; entranceCount: number | null };

export async function buildingsForBinding(tx: Tx, communityId: string): Promise<BindingBuilding[]> {
  const { rows } = await tx.query<{ id: string; name: string; entrance_count: number | null }>(
    'select * from private.list_buildings_for_binding($1)',
    [communityId],
  );
  return rows.map((r) => ({ id: r.id, name: r.name, entranceCount: r.entrance_count }));
}

export type MyBindingRequest = {
  id: string;
  status: Enums<'binding_status'>;
  relation: Enums<'occupant_relation'>;
  communityName: string;
  building: string;
  entrance: number | null;
  number: string;
  reviewReason: string | null;
  createdAt: string;
};

export async function listMyBindingRequests(tx: Tx): Promise<MyBindingRequest[]> {
  // The unit is not readable before approval; its address comes from a definer helper.
  const { rows } = await tx.query<{
    id: string;
    status: Enums<'binding_status'>;
    relation: Enums<'occupant_relation'>;
    community_name: string | null;
    building: string | null;
    entrance: number | null;
    number: string | null;
    review_reason: string | null;
    created_at: string;
  }>(
    `select r.id, r.status, r.relation, r.review_reason, r.created_at, a.community_name, a.building, a.entrance, a.number
     from public.unit_binding_requests r
     left join lateral (select * from private.my_binding_request_address(r.id)) a on true
     where r.user_id = (select auth.uid())
     order by r.created_at desc
     limit 50`,
  );
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    relation: r.relation,
    communityName: r.community_name ?? '',
    building: r.building ?? '',
    entrance: r.entrance,
    number: r.number ?? '',
    reviewReason: r.review_reason,
    createdAt: r.created_at,
  }));
}

export type BindRequestInput = {
  communityId: string;
  buildingId: string;
  entrance: number | null;
  number: string;
  relation: Enums<'occupant_relation'>;
  applicantName: string;
  note: string;
  proofPath: string | null;
};

/** Finds the unit at the exact address and files the request; typed errors for no such unit or a duplicate. */
export async function requestBinding(tx: Tx, input: BindRequestInput): Promise<string> {
  const buildings = await buildingsForBinding(tx, input.communityId);
  const building = buildings.find((b) => b.id === input.buildingId);
  if (!building) throw new TenancyError('tenancy.unit_not_found');
  const unit = await tx.query<{ unit_id: string }>(
    'select unit_id from private.find_unit_for_binding($1, $2, $3, $4)',
    [input.communityId, building.name, input.entrance, input.number],
  );
  const unitId = unit.rows[0]?.unit_id;
  if (!unitId) throw new TenancyError('tenancy.unit_not_found');
  const linked = await tx.query(
    `select 1 from public.occupancies o where o.unit_id = $1 and o.user_id = (select auth.uid())
       and o.deleted_at is null and (o.move_out_date is null or o.move_out_date >= current_date)`,
    [unitId],
  );
  if (linked.rowCount) throw new TenancyError('tenancy.already_bound');
  const pending = await tx.query(
    `select 1 from public.unit_binding_requests where unit_id = $1 and user_id = (select auth.uid()) and status = 'pending'`,
    [unitId],
  );
  if (pending.rowCount) throw new TenancyError('tenancy.already_requested');
  return guarded(async () => {
    const { rows } = await tx.query<{ id: string }>(
      `insert into public.unit_binding_requests (unit_id, relation, applicant_name, note, proof_path)
       values ($1, $2, $3, nullif($4, ''), $5) returning id`,
      [unitId, input.relation, input.applicantName, input.note, input.proofPath],
    );
    return rows[0].id;
  });
}

export async function cancelBindingRequest(tx: Tx, requestId: string): Promise<void> {
  const { rowCount } = await guarded(() =>
    tx.query(
      `update public.unit_binding_requests set status = 'cancelled'
       where id = $1 and user_id = (select auth.uid()) and status = 'pending'`,
      [requestId],
    ),
  );
  if (rowCount !== 1) throw new TenancyError('tenancy.binding_request_not_pending');
}

/**
 * Uploads an image into `<bucket>/<user id>/<random>.<ext>` as the signed-in user (Storage
 * policies: own folder, images only). Returns the object path, or null for an empty input.
 */
export async function uploadImage(
  supabase: SupabaseClient,
  bucket: string,
  userId: string,
  file: File | null,
  maxBytes = PROOF_MAX_BYTES,
): Promise<string | null> {
  if (!file || file.size === 0) return null;
  const ext = IMAGE_TYPES[file.type];
  if (!ext || file.size > maxBytes) throw new TenancyError('tenancy.file_invalid');
  const path = `${userId}/${crypto.randomUUID()}.${ext}`;
  const { error } = await supabase.storage
    .from(bucket)
    .upload(path, file, { contentType: file.type, upsert: false });
  if (error) throw new TenancyError('tenancy.file_invalid', { cause: error });
  return path;
}

export { PROOF_BUCKET };
