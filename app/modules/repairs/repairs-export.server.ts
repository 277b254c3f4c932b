import ExcelJS from 'exceljs';
import type { Translate } from '~/i18n/translate';
import type { Tx } from '~/lib/db.server';
import type { RepairStatus } from './repairs.schema';
import { placeLabel } from './repairs.server';
import { listTechnicians } from './repairs-office.server';

/** The Excel export of tickets (报修单导出) for a date range, as the caller may see them. */

const MAX_ROWS = 50_000;

type ExportRow = {
  number: string;
  community_name: string;
  category_name: string;
  area: 'home' | 'public';
  building_name: string | null;
  unit_entrance: number | null;
  unit_number: string | null;
  location_note: string | null;
  description: string;
  status: RepairStatus;
  priority: 'normal' | 'urgent';
  contact_name: string | null;
  contact_phone: string | null;
  assignee_id: string | null;
  community_id: string;
  created_at: string;
  first_response_at: string | null;
  completed_at: string | null;
  response_minutes: number | null;
  completion_hours: number | null;
  response_breached: boolean;
  resolve_breached: boolean;
  speed: number | null;
  quality: number | null;
  attitude: number | null;
  comment: string | null;
};

/** Timestamps in China time, as people read them. */
function local(ts: string | null): string {
  if (!ts) return '';
  return new Date(ts).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

export async function exportTickets(
  tx: Tx,
  communityIds: readonly string[],
  range: { from: string; to: string },
  t: Translate,
): Promise<Buffer> {
  const { rows } = await tx.query<ExportRow>(
    `select t.number, coalesce(cm.name, '') as community_name, coalesce(c.name, '') as category_name, t.area,
       b.name as building_name, u.entrance as unit_entrance, u.number as unit_number, t.location_note, t.description,
       t.status, t.priority, t.contact_name, t.contact_phone, t.assignee_id, t.community_id, t.created_at,
       t.first_response_at, t.completed_at,
       round((extract(epoch from t.first_response_at - t.created_at) / 60)::numeric, 1)::float8 as response_minutes,
       round((extract(epoch from t.completed_at - t.created_at) / 3600)::numeric, 1)::float8 as completion_hours,
       coalesce(t.first_response_at, case when t.status <> 'cancelled' then now() end) > t.response_due_at as response_breached,
       (t.status <> 'cancelled' and coalesce(t.completed_at, now()) > t.resolve_due_at) as resolve_breached,
       r.speed, r.quality, r.attitude, r.comment
     from public.repair_tickets t
     left join public.repair_categories c on c.id = t.category_id
     left join public.communities cm on cm.id = t.community_id
     left join public.buildings b on b.id = t.building_id
     left join public.units u on u.id = t.unit_id
     left join lateral (
       select speed, quality, attitude, comment from public.repair_ratings x
       where x.ticket_id = t.id order by x.round desc limit 1
     ) r on true
     where t.company_id = any (array(select cm.company_id from public.communities cm where cm.id = any ($1::uuid[])))
         and t.community_id = any ($1::uuid[]) and t.created_at >= $2::date and t.created_at < $3::date + 1
     order by t.created_at
     limit ${MAX_ROWS}`,
    [communityIds, range.from, range.to],
  );
  const names = new Map<string, string>();
  for (const id of new Set(rows.map((r) => r.community_id))) {
    for (const tech of await listTechnicians(tx, id)) names.set(tech.memberId, tech.name);
  }

  const workbook = new ExcelJS.Workbook();
  workbook.creator = t('brand.name');
  workbook.created = new Date(0);
  const sheet = workbook.addWorksheet(t('repairs.export.sheet'), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [
    { header: t('repairs.field.number'), key: 'number', width: 18 },
    { header: t('repairs.field.community'), key: 'community', width: 14 },
    { header: t('repairs.field.category'), key: 'category', width: 10 },
    { header: t('repairs.field.place'), key: 'place', width: 20 },
    { header: t('repairs.field.description'), key: 'description', width: 40 },
    { header: t('repairs.field.status'), key: 'status', width: 10 },
    { header: t('repairs.field.priority'), key: 'priority', width: 8 },
    { header: t('repairs.field.contact'), key: 'contact', width: 12 },
    { header: t('repairs.field.phone'), key: 'phone', width: 16 },
    { header: t('repairs.field.technician'), key: 'technician', width: 10 },
    { header: t('repairs.field.createdAt'), key: 'created', width: 20 },
    { header: t('repairs.field.firstResponseAt'), key: 'responded', width: 20 },
    { header: t('repairs.field.completedAt'), key: 'completed', width: 20 },
    { header: t('repairs.export.responseMinutes'), key: 'responseMinutes', width: 12 },
    { header: t('repairs.export.completionHours'), key: 'completionHours', width: 12 },
    { header: t('repairs.export.responseBreached'), key: 'responseBreached', width: 10 },
    { header: t('repairs.export.resolveBreached'), key: 'resolveBreached', width: 10 },
    { header: t('repairs.rate.speed'), key: 'speed', width: 8 },
    { header: t('repairs.rate.quality'), key: 'quality', width: 8 },
    { header: t('repairs.rate.attitude'), key: 'attitude', width: 8 },
    { header: t('repairs.rate.comment'), key: 'comment', width: 30 },
  ];
  sheet.getRow(1).font = { bold: true };
  const yes = t('repairs.export.yes');
  for (const r of rows) {
    sheet.addRow({
      number: r.number,
      community: r.community_name,
      category: r.category_name,
      place: placeLabel(r),
      description: r.description,
      status: t(`repairs.status.${r.status}`),
      priority: t(`repairs.priority.${r.priority}`),
      contact: r.contact_name ?? '',
      phone: r.contact_phone ?? '',
      technician: r.assignee_id ? (names.get(r.assignee_id) ?? '') : '',
      created: local(r.created_at),
      responded: local(r.first_response_at),
      completed: local(r.completed_at),
      responseMinutes: r.response_minutes,
      completionHours: r.completion_hours,
      responseBreached: r.response_breached ? yes : '',
      resolveBreached: r.resolve_breached ? yes : '',
      speed: r.speed,
      quality: r.quality,
      attitude: r.attitude,
      comment: r.comment ?? '',
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
