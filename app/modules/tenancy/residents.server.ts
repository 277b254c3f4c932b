import type { Enums } from '~/lib/database.types';
import type { Tx } from '~/lib/db.server';
import type { DirectorySearch } from './residents.schema';

/**
 * Resident-facing and staff-facing reads of households. Authorization is RLS: run these in
 * `withUser`, and the same SQL returns only what that user may see. (The RLS benchmark runs
 * them as the service role too, to measure what the policies cost.)
 */

export type HouseholdMember = {
  occupancyId: string;
  name: string;
  relation: Enums<'occupant_relation'>;
  moveInDate: string | null;
  isMe: boolean;
};

export type Household = {
  unitId: string;
  communityId: string;
  communityName: string;
  building: string;
  entrance: number | null;
  floor: number;
  number: string;
  floorArea: number | null;
  myRelation: Enums<'occupant_relation'>;
  members: HouseholdMember[];
};

type HouseholdRow = {
  unit_id: string;
  community_id: string;
  community_name: string;
  building: string;
  entrance: number | null;
  floor: number;
  number: string;
  floor_area: number | null;
  my_relation: Enums<'occupant_relation'>;
  occupancy_id: string | null;
  name: string | null;
  relation: Enums<'occupant_relation'> | null;
  move_in_date: string | null;
  member_user_id: string | null;
};

/**
 * The homes a user lives in, with the household members they may see (all of them for owners
 * and tenants; for family members only if the owner granted members.read).
 */
export async function getMyHouseholds(tx: Tx, userId: string): Promise<Household[]> {
  const { rows } = await tx.query<HouseholdRow>(
    {
      name: 'tenancy.my_households',
      text: `select u.id as unit_id, c.id as community_id, c.name as community_name, b.name as building,
            u.entrance, u.floor, u.number, u.floor_area, mine.relation as my_relation,
            o.id as occupancy_id, o.name, o.relation, o.move_in_date, o.user_id as member_user_id
     from public.occupancies mine
     join public.units u on u.id = mine.unit_id
     join public.buildings b on b.id = u.building_id
     join public.communities c on c.id = u.community_id
     left join public.occupancies o
       on o.company_id = u.company_id and o.community_id = u.community_id and o.unit_id = u.id
      and o.deleted_at is null and (o.move_out_date is null or o.move_out_date >= current_date)
     where mine.user_id = $1
       and mine.deleted_at is null
       and (mine.move_out_date is null or mine.move_out_date >= current_date)
       and u.deleted_at is null
     order by c.name, b.sort_order, u.entrance, u.number, o.relation, o.name`,
    },
    [userId],
  );
  const byUnit = new Map<string, Household>();
  for (const r of rows) {
    let home = byUnit.get(r.unit_id);
    if (!home) {
      home = {
        unitId: r.unit_id,
        communityId: r.community_id,
        communityName: r.community_name,
        building: r.building,
        entrance: r.entrance,
        floor: r.floor,
        number: r.number,
        floorArea: r.floor_area,
        myRelation: r.my_relation,
        members: [],
      };
      byUnit.set(r.unit_id, home);
    }
    if (r.occupancy_id && r.name && r.relation) {
      home.members.push({
        occupancyId: r.occupancy_id,
        name: r.name,
        relation: r.relation,
        moveInDate: r.move_in_date,
        isMe: r.member_user_id === userId,
      });
    }
  }
  return [...byUnit.values()];
}

export type DirectoryEntry = {
  occupancyId: string;
  name: string;
  phone: string | null;
  relation: Enums<'occupant_relation'>;
  hasAccount: boolean;
  movedOut: boolean;
  unitId: string;
  communityId: string;
  building: string;
  entrance: number | null;
  number: string;
};

export type DirectoryPage = { entries: DirectoryEntry[]; page: number; hasMore: boolean };

type DirectoryRow = {
  occupancy_id: string;
  name: string;
  phone: string | null;
  relation: Enums<'occupant_relation'>;
  has_account: boolean;
  moved_out: boolean;
  unit_id: string;
  community_id: string;
  building: string;
  entrance: number | null;
  number: string;
};

/** Above every character: `[prefix, prefix + TOP)` is the range of strings starting with prefix (collation "C"). */
const TOP = '\u{10FFFF}';

/**
 * One page of the staff resident directory, ordered by name (code-point order). `q` is a
 * name prefix (surname first, as Chinese names are typed); a digit string is a room number,
 * and from four digits also a phone suffix (尾号). Every shape is an index range scan (see
 * migrations 20261122107000 and 20261122108000); each shape is its own named statement, so it keeps its own plan.
 */
export async function searchResidentDirectory(tx: Tx, search: DirectorySearch): Promise<DirectoryPage> {
  const values: unknown[] = [search.companyId];
  const where = ['o.company_id = $1', 'o.deleted_at is null'];
  const shape: string[] = [];
  if (search.communityId) {
    values.push(search.communityId);
    where.push(`o.community_id = $${values.length}`);
    shape.push('community');
  } else {
    shape.push('company');
  }
  const digits = Boolean(search.q && /^\d+$/.test(search.q));
  if (search.q && digits) {
    values.push(search.q);
    const rooms = `o.unit_id = any (array(
      select u2.id from public.units u2
      where u2.company_id = $1 and u2.number = $${values.length} and u2.deleted_at is null
      ${search.communityId ? 'and u2.community_id = $2' : ''}))`;
    if (search.q.length >= 4) {
      const reversed = [...search.q].reverse().join('');
      values.push(reversed, `${reversed}${TOP}`);
      where.push(
        `(${rooms} or (o.phone_reversed >= $${values.length - 1} and o.phone_reversed < $${values.length}))`,
      );
      shape.push('room-or-phone');
    } else {
      where.push(rooms);
      shape.push('room');
    }
  } else if (search.q) {
    values.push(search.q, `${search.q}${TOP}`);
    where.push(`o.name collate "C" >= $${values.length - 1} and o.name collate "C" < $${values.length}`);
    shape.push('name');
  }
  values.push(search.pageSize + 1, (search.page - 1) * search.pageSize);
  const { rows } = await tx.query<DirectoryRow>(
    {
      name: `tenancy.directory.${shape.join('.')}`,
      // Page the occupancies first, then look up each row's unit and building by primary key
      // (composite foreign keys keep those in the same company and community). Browsing and
      // name search walk the name index and stop at the page; a digit search collects its few
      // matches first (materialized), then orders them.
      text: `with matches as ${digits ? 'materialized' : 'not materialized'} (
         select o.id, o.name, o.phone, o.relation, o.user_id, o.move_out_date, o.unit_id
         from public.occupancies o
         where ${where.join(' and ')}
       )
       select o.id as occupancy_id, o.name, o.phone, o.relation, o.user_id is not null as has_account,
              coalesce(o.move_out_date < current_date, false) as moved_out,
              u.id as unit_id, u.community_id, b.name as building, u.entrance, u.number
       from (
         select * from matches
         order by name collate "C", id
         limit $${values.length - 1} offset $${values.length}
       ) o
       join public.units u on u.id = o.unit_id
       join public.buildings b on b.id = u.building_id
       order by o.name collate "C", o.id`,
    },
    values,
  );
  const hasMore = rows.length > search.pageSize;
  return {
    page: search.page,
    hasMore,
    entries: rows.slice(0, search.pageSize).map((r) => ({
      occupancyId: r.occupancy_id,
      name: r.name,
      phone: r.phone,
      relation: r.relation,
      hasAccount: r.has_account,
      movedOut: r.moved_out,
      unitId: r.unit_id,
      communityId: r.community_id,
      building: r.building,
      entrance: r.entrance,
      number: r.number,
    })),
  };
}
