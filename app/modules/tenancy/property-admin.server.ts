import type { Enums } from '~/lib/database.types';
import type { Tx } from '~/lib/db.server';
import type { BuildingInput, CommunityInput } from './property-admin.schema';
import { guarded, TenancyError } from './tenancy-errors';

/**
 * Communities, buildings and units of a company (房屋管理), as the signed-in staff member sees
 * them (community.read / unit.read under RLS) with counts; writes need community.manage or
 * unit.manage, enforced by the policies.
 */

export type CommunitySummary = {
  id: string;
  name: string;
  code: string | null;
  city: string | null;
  district: string | null;
  address: string | null;
  buildingCount: number;
  unitCount: number;
  residentCount: number;
};

export async function listCommunities(tx: Tx, companyId: string): Promise<CommunitySummary[]> {
  const { rows } = await tx.query<{
    id: string;
    name: string;
    code: string | null;
    city: string | null;
    district: string | null;
    address: string | null;
    building_count: number;
    unit_count: number;
    resident_count: number;
  }>(
    `select m.id, m.name, m.code, m.city, m.district, m.address,
       (select count(*) from public.buildings b where b.company_id = m.company_id and b.community_id = m.id)::int as building_count,
       (select count(*) from public.units u where u.company_id = m.company_id and u.community_id = m.id
          and u.deleted_at is null)::int as unit_count,
       (select count(*) from public.occupancies o where o.company_id = m.company_id and o.community_id = m.id
          and o.deleted_at is null and (o.move_out_date is null or o.move_out_date >= current_date))::int as resident_count
     from public.communities m
     where m.company_id = $1
     order by m.name`,
    [companyId],
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    code: r.code,
    city: r.city,
    district: r.district,
    address: r.address,
    buildingCount: r.building_count,
    unitCount: r.unit_count,
    residentCount: r.resident_count,
  }));
}

export type BuildingSummary = {
  id: string;
  name: string;
  floorCount: number | null;
  entranceCount: number | null;
  unitCount: number;
  occupiedCount: number;
};

export async function listBuildings(tx: Tx, communityId: string): Promise<BuildingSummary[]> {
  const { rows } = await tx.query<{
    id: string;
    name: string;
    floor_count: number | null;
    entrance_count: number | null;
    unit_count: number;
    occupied_count: number;
  }>(
    `select b.id, b.name, b.floor_count, b.entrance_count,
       (select count(*) from public.units u where u.company_id = b.company_id and u.community_id = b.community_id
          and u.building_id = b.id and u.deleted_at is null)::int as unit_count,
       (select count(distinct o.unit_id) from public.occupancies o
          join public.units u on u.id = o.unit_id and u.building_id = b.id and u.deleted_at is null
          where o.company_id = b.company_id and o.community_id = b.community_id and o.deleted_at is null
            and (o.move_out_date is null or o.move_out_date >= current_date))::int as occupied_count
     from public.buildings b
     where b.community_id = $1
     order by b.sort_order, b.name`,
    [communityId],
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    floorCount: r.floor_count,
    entranceCount: r.entrance_count,
    unitCount: r.unit_count,
    occupiedCount: r.occupied_count,
  }));
}

export type UnitListItem = {
  id: string;
  entrance: number | null;
  floor: number;
  number: string;
  floorArea: number | null;
  use: Enums<'unit_use'>;
  residentCount: number;
};

export async function listUnits(tx: Tx, buildingId: string): Promise<UnitListItem[]> {
  const { rows } = await tx.query<{
    id: string;
    entrance: number | null;
    floor: number;
    number: string;
    floor_area: number | null;
    use: Enums<'unit_use'>;
    resident_count: number;
  }>(
    `select u.id, u.entrance, u.floor, u.number, u.floor_area, u.use,
       (select count(*) from public.occupancies o where o.company_id = u.company_id and o.community_id = u.community_id
          and o.unit_id = u.id and o.deleted_at is null
          and (o.move_out_date is null or o.move_out_date >= current_date))::int as resident_count
     from public.units u
     where u.building_id = $1 and u.deleted_at is null
     order by u.entrance nulls first, u.floor, u.number
     limit 2000`,
    [buildingId],
  );
  return rows.map((r) => ({
    id: r.id,
    entrance: r.entrance,
    floor: r.floor,
    number: r.number,
    floorArea: r.floor_area,
    use: r.use,
    residentCount: r.resident_count,
  }));
}

export async function createCommunity(tx: Tx, companyId: string, input: CommunityInput): Promise<string> {
  return guarded(async () => {
    const { rows } = await tx.query<{ id: string }>(
      `insert into public.communities (company_id, name, code, city, district, address)
       values ($1, $2, $3, $4, $5, $6) returning id`,
      [companyId, input.name, input.code, input.city, input.district, input.address],
    );
    return rows[0].id;
  });
}

export async function updateCommunity(tx: Tx, communityId: string, input: CommunityInput): Promise<void> {
  const { rowCount } = await guarded(() =>
    tx.query(
      `update public.communities set name = $2, code = $3, city = $4, district = $5, address = $6 where id = $1`,
      [communityId, input.name, input.code, input.city, input.district, input.address],
    ),
  );
  if (rowCount !== 1) throw new TenancyError('tenancy.forbidden');
}

export async function createBuilding(tx: Tx, communityId: string, input: BuildingInput): Promise<string> {
  return guarded(async () => {
    const { rows } = await tx.query<{ id: string }>(
      `insert into public.buildings (company_id, community_id, name, floor_count, entrance_count, sort_order)
       select m.company_id, m.id, $2, $3, $4,
              coalesce((select max(b.sort_order) + 1 from public.buildings b where b.community_id = m.id), 1)
       from public.communities m where m.id = $1
       returning id`,
      [communityId, input.name, input.floorCount, input.entranceCount],
    );
    if (!rows[0]) throw new TenancyError('tenancy.forbidden');
    return rows[0].id;
  });
}

export async function updateBuilding(tx: Tx, buildingId: string, input: BuildingInput): Promise<void> {
  const { rowCount } = await guarded(() =>
    tx.query('update public.buildings set name = $2, floor_count = $3, entrance_count = $4 where id = $1', [
      buildingId,
      input.name,
      input.floorCount,
      input.entranceCount,
    ]),
  );
  if (rowCount !== 1) throw new TenancyError('tenancy.forbidden');
}
