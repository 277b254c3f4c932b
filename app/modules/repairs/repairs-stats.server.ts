import type { Tx } from '~/lib/db.server';
import type { RepairStatus } from './repairs.schema';
import { listTechnicians } from './repairs-office.server';

/**
 * Monitoring: open work, SLA breaches, response and completion times, and series for the
 * charts (already bucketed and labelled: chart components never see rows).
 */

export type Range = { from: string; to: string; bucket: 'day' | 'week' };

export type Series = { labels: string[]; datasets: { label: string; data: number[] }[] };

export type TechnicianPerformance = {
  memberId: string;
  name: string;
  assigned: number;
  completed: number;
  open: number;
  avgCompletionHours: number | null;
  ratings: number;
  avgSpeed: number | null;
  avgQuality: number | null;
  avgAttitude: number | null;
};

export type Dashboard = {
  openByStatus: Partial<Record<RepairStatus, number>>;
  created: number;
  completed: number;
  responseBreaches: number;
  resolveBreaches: number;
  openOverdue: number;
  avgResponseMinutes: number | null;
  avgCompletionHours: number | null;
  avgRating: number | null;
  byCategory: Series;
  byTechnician: Series;
  technicians: TechnicianPerformance[];
};

const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

/** Bucket starts (UTC dates) between from and to. */
function buckets(range: Range): string[] {
  const out: string[] = [];
  const step = range.bucket === 'week' ? 7 : 1;
  const start = new Date(`${range.from}T00:00:00Z`);
  if (range.bucket === 'week') start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));
  for (let d = start; d <= new Date(`${range.to}T00:00:00Z`); d = new Date(d.getTime() + step * 86_400_000)) {
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

function toSeries(
  labels: string[],
  rows: { bucket: string; key: string; n: number }[],
  keyLabel: (key: string) => string,
): Series {
  const keys = [...new Set(rows.map((r) => r.key))];
  return {
    labels,
    datasets: keys.map((key) => ({
      label: keyLabel(key),
      data: labels.map((b) => rows.find((r) => r.bucket === b && r.key === key)?.n ?? 0),
    })),
  };
}

export async function loadDashboard(
  tx: Tx,
  communityIds: readonly string[],
  range: Range,
): Promise<Dashboard> {
  const params = [communityIds, range.from, range.to];
  const trunc = range.bucket === 'week' ? 'week' : 'day';
  const [open, totals, byCategory, byTechnician, perf] = await Promise.all([
    tx.query<{ status: RepairStatus; n: number; overdue: number }>(
      `select status, count(*)::int as n,
         count(*) filter (where (first_response_at is null and status = 'pending' and now() > response_due_at)
                            or (status <> 'pending' and now() > resolve_due_at))::int as overdue
       from public.repair_tickets
       where company_id = any (array(select cm.company_id from public.communities cm where cm.id = any ($1::uuid[])))
         and community_id = any ($1::uuid[]) and status in ('pending', 'accepted', 'dispatched', 'in_progress', 'paused')
       group by status`,
      [communityIds],
    ),
    tx.query<{
      created: number;
      completed: number;
      response_breaches: number;
      resolve_breaches: number;
      avg_response_minutes: number | null;
      avg_completion_hours: number | null;
      avg_rating: number | null;
    }>(
      `select
         count(*)::int as created,
         count(*) filter (where t.completed_at is not null)::int as completed,
         count(*) filter (where coalesce(t.first_response_at, case when t.status <> 'cancelled' then now() end) > t.response_due_at)::int as response_breaches,
         count(*) filter (where t.status <> 'cancelled' and coalesce(t.completed_at, now()) > t.resolve_due_at)::int as resolve_breaches,
         avg(extract(epoch from t.first_response_at - t.created_at) / 60)::float8 as avg_response_minutes,
         avg(extract(epoch from t.completed_at - t.created_at) / 3600)::float8 as avg_completion_hours,
         (select avg((r.speed + r.quality + r.attitude) / 3.0)::float8 from public.repair_ratings r
          where r.company_id = any (array(select cm.company_id from public.communities cm where cm.id = any ($1::uuid[])))
         and r.community_id = any ($1::uuid[]) and r.created_at >= $2::date and r.created_at < $3::date + 1) as avg_rating
       from public.repair_tickets t
       where t.company_id = any (array(select cm.company_id from public.communities cm where cm.id = any ($1::uuid[])))
         and t.community_id = any ($1::uuid[]) and t.created_at >= $2::date and t.created_at < $3::date + 1`,
      params,
    ),
    tx.query<{ bucket: string; key: string; n: number }>(
      `select to_char(date_trunc('${trunc}', t.created_at at time zone 'UTC'), 'YYYY-MM-DD') as bucket,
         coalesce(c.name, '?') as key, count(*)::int as n
       from public.repair_tickets t
       left join public.repair_categories c on c.id = t.category_id
       where t.company_id = any (array(select cm.company_id from public.communities cm where cm.id = any ($1::uuid[])))
         and t.community_id = any ($1::uuid[]) and t.created_at >= $2::date and t.created_at < $3::date + 1
       group by 1, 2 order by 1, 2`,
      params,
    ),
    tx.query<{ bucket: string; key: string; n: number }>(
      `select to_char(date_trunc('${trunc}', t.completed_at at time zone 'UTC'), 'YYYY-MM-DD') as bucket,
         t.assignee_id::text as key, count(*)::int as n
       from public.repair_tickets t
       where t.company_id = any (array(select cm.company_id from public.communities cm where cm.id = any ($1::uuid[])))
         and t.community_id = any ($1::uuid[]) and t.assignee_id is not null
         and t.completed_at >= $2::date and t.completed_at < $3::date + 1
       group by 1, 2 order by 1, 2`,
      params,
    ),
    tx.query<{
      member_id: string;
      assigned: number;
      completed: number;
      open: number;
      avg_completion_hours: number | null;
      ratings: number;
      avg_speed: number | null;
      avg_quality: number | null;
      avg_attitude: number | null;
    }>(
      `with t as (
         select * from public.repair_tickets
         where company_id = any (array(select cm.company_id from public.communities cm where cm.id = any ($1::uuid[])))
         and community_id = any ($1::uuid[]) and assignee_id is not null
           and ((dispatched_at >= $2::date and dispatched_at < $3::date + 1) or status in ('dispatched', 'in_progress', 'paused'))
       ), r as (
         select technician_id, count(*)::int as ratings, avg(speed)::float8 as avg_speed, avg(quality)::float8 as avg_quality,
           avg(attitude)::float8 as avg_attitude
         from public.repair_ratings
         where company_id = any (array(select cm.company_id from public.communities cm where cm.id = any ($1::uuid[])))
         and community_id = any ($1::uuid[]) and created_at >= $2::date and created_at < $3::date + 1
         group by technician_id
       )
       select a.assignee_id as member_id, count(*)::int as assigned,
         count(*) filter (where a.completed_at is not null)::int as completed,
         count(*) filter (where a.status in ('dispatched', 'in_progress', 'paused'))::int as open,
         avg(extract(epoch from a.completed_at - a.dispatched_at) / 3600)::float8 as avg_completion_hours,
         coalesce(max(r.ratings), 0)::int as ratings, max(r.avg_speed) as avg_speed, max(r.avg_quality) as avg_quality,
         max(r.avg_attitude) as avg_attitude
       from t a left join r on r.technician_id = a.assignee_id
       group by a.assignee_id`,
      params,
    ),
  ]);

  const names = new Map<string, string>();
  for (const communityId of communityIds.slice(0, 50)) {
    for (const tech of await listTechnicians(tx, communityId)) names.set(tech.memberId, tech.name);
  }
  const nameOf = (id: string) => names.get(id) ?? '—';
  const labels = buckets(range);
  const openByStatus: Dashboard['openByStatus'] = {};
  let openOverdue = 0;
  for (const r of open.rows) {
    openByStatus[r.status] = r.n;
    openOverdue += r.overdue;
  }
  const t = totals.rows[0];
  return {
    openByStatus,
    created: t.created,
    completed: t.completed,
    responseBreaches: t.response_breaches,
    resolveBreaches: t.resolve_breaches,
    openOverdue,
    avgResponseMinutes: round1(t.avg_response_minutes),
    avgCompletionHours: round1(t.avg_completion_hours),
    avgRating: round1(t.avg_rating),
    byCategory: toSeries(labels, byCategory.rows, (k) => k),
    byTechnician: toSeries(labels, byTechnician.rows, nameOf),
    technicians: perf.rows
      .map((p) => ({
        memberId: p.member_id,
        name: nameOf(p.member_id),
        assigned: p.assigned,
        completed: p.completed,
        open: p.open,
        avgCompletionHours: round1(p.avg_completion_hours),
        ratings: p.ratings,
        avgSpeed: round1(p.avg_speed),
        avgQuality: round1(p.avg_quality),
        avgAttitude: round1(p.avg_attitude),
      }))
      .sort((a, b) => b.completed - a.completed),
  };
}
