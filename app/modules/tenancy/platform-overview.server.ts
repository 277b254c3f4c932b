import type { Enums } from '~/lib/database.types';
import type { Tx } from '~/lib/db.server';
import { guarded } from './tenancy-errors';

/** The platform console's lists (物业公司, 小区) with counts: aggregates only, platform.metrics.read. */

export type CompanyOverview = {
  id: string;
  name: string;
  shortName: string | null;
  status: Enums<'company_status'>;
  createdAt: string;
  communities: number;
  units: number;
  residents: number;
  staff: number;
};

export async function listCompaniesOverview(tx: Tx, query: string): Promise<CompanyOverview[]> {
  const { rows } = await guarded(() =>
    tx.query<{
      id: string;
      name: string;
      short_name: string | null;
      status: Enums<'company_status'>;
      created_at: string;
      community_count: number;
      unit_count: number;
      resident_count: number;
      staff_count: number;
    }>('select * from private.platform_companies_overview($1)', [query]),
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    shortName: r.short_name,
    status: r.status,
    createdAt: r.created_at,
    communities: r.community_count,
    units: r.unit_count,
    residents: r.resident_count,
    staff: r.staff_count,
  }));
}

export type CommunityOverview = {
  id: string;
  name: string;
  city: string | null;
  district: string | null;
  companyId: string;
  companyName: string;
  buildings: number;
  units: number;
  residents: number;
  staff: number;
};

export async function listCommunitiesOverview(
  tx: Tx,
  query: string,
  companyId: string | null,
): Promise<CommunityOverview[]> {
  const { rows } = await guarded(() =>
    tx.query<{
      id: string;
      name: string;
      city: string | null;
      district: string | null;
      company_id: string;
      company_name: string;
      building_count: number;
      unit_count: number;
      resident_count: number;
      staff_count: number;
    }>('select * from private.platform_communities_overview($1, $2)', [query, companyId]),
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    city: r.city,
    district: r.district,
    companyId: r.company_id,
    companyName: r.company_name,
    buildings: r.building_count,
    units: r.unit_count,
    residents: r.resident_count,
    staff: r.staff_count,
  }));
}
