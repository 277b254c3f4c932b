import type { SupabaseClient } from '@supabase/supabase-js';
import type { Tx } from '~/lib/db.server';
import type { NotificationPriority } from '~/modules/notifications/notifications.schema';
import { markEventRead } from '~/modules/notifications/notifications.server';
import { fromDatabaseError, NoticeError } from './errors';
import type { NoticeAudience, NoticeCategory, NoticeFormInput, NoticeStatus } from './notices.schema';
import { noticeHtmlToText, sanitizeNoticeHtml } from './sanitize.server';
import { zonedToInstant } from './zoned-time';

/**
 * Notices (公告): staff write and publish them, residents read them. Every function runs in the
 * caller's transaction (`withUser`): RLS decides what each person sees, and the workflow
 * functions in SQL check notice.publish. Rows never leave this module; DTOs do.
 */

export const NOTICE_FILES_BUCKET = 'notice-files';

/** Run SQL and turn our database refusals into NoticeErrors. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw fromDatabaseError(err);
  }
}

// ---------------------------------------------------------------------------------------
// Staff
// ---------------------------------------------------------------------------------------

export type PublishingCommunity = { id: string; companyId: string; name: string };

/** Communities where the caller may publish notices. */
export async function listPublishingCommunities(tx: Tx): Promise<PublishingCommunity[]> {
  const { rows } = await tx.query<{ id: string; company_id: string; name: string }>(
    `select c.id, c.company_id, c.name from public.communities c
      where c.id = any ((select private.communities_with_permission('notice.publish'))::uuid[])
      order by c.name`,
  );
  return rows.map((r) => ({ id: r.id, companyId: r.company_id, name: r.name }));
}

export type StaffNoticeRow = {
  id: string;
  communityId: string;
  communityName: string;
  title: string;
  category: NoticeCategory;
  priority: NotificationPriority;
  status: NoticeStatus;
  pinned: boolean;
  publishAt: string | null;
  publishedAt: string | null;
  expiresAt: string | null;
  expired: boolean;
  updatedAt: string;
  notified: number;
  reads: number;
};

export async function listNoticesForStaff(
  tx: Tx,
  filter: { status?: NoticeStatus; communityId?: string } = {},
): Promise<StaffNoticeRow[]> {
  const { rows } = await tx.query<{
    id: string;
    community_id: string;
    community_name: string;
    title: string;
    category: NoticeCategory;
    priority: NotificationPriority;
    status: NoticeStatus;
    pinned: boolean;
    publish_at: string | null;
    published_at: string | null;
    expires_at: string | null;
    expired: boolean;
    updated_at: string;
    notified: number;
    reads: number;
  }>(
    `select n.id, n.community_id, c.name as community_name, n.title, n.category, n.priority, n.status,
            n.pinned, n.publish_at, n.published_at, n.expires_at,
            coalesce(n.expires_at <= now(), false) as expired, n.updated_at,
            coalesce(reach.notified, 0) as notified, coalesce(reach.reads, 0) as reads
       from public.notices n
       join public.communities c on c.id = n.community_id
       left join lateral private.notice_reach(array[n.id]) reach on true
      where n.community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[])
        and ($1::public.notice_status is null or n.status = $1)
        and ($2::uuid is null or n.community_id = $2)
      order by (n.status = 'scheduled') desc, coalesce(n.published_at, n.publish_at, n.updated_at) desc
      limit 200`,
    [filter.status ?? null, filter.communityId ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    communityId: r.community_id,
    communityName: r.community_name,
    title: r.title,
    category: r.category,
    priority: r.priority,
    status: r.status,
    pinned: r.pinned,
    publishAt: r.publish_at,
    publishedAt: r.published_at,
    expiresAt: r.expires_at,
    expired: r.expired,
    updatedAt: r.updated_at,
    notified: r.notified,
    reads: r.reads,
  }));
}

export type NoticeAttachment = {
  id: string;
  path: string;
  fileName: string;
  mimeType: string;
  size: number;
  kind: 'image' | 'file';
};

export type StaffNotice = {
  id: string;
  companyId: string;
  communityId: string;
  communityName: string;
  title: string;
  category: NoticeCategory;
  priority: NotificationPriority;
  status: NoticeStatus;
  pinned: boolean;
  audience: NoticeAudience;
  buildingIds: string[];
  unitIds: string[];
  bodyHtml: string;
  publishAt: string | null;
  publishedAt: string | null;
  expiresAt: string | null;
  withdrawnAt: string | null;
  withdrawReason: string | null;
  createdAt: string;
  updatedAt: string;
  attachments: NoticeAttachment[];
};

async function attachmentsOf(tx: Tx, noticeId: string): Promise<NoticeAttachment[]> {
  const { rows } = await tx.query<{
    id: string;
    object_path: string;
    file_name: string;
    mime_type: string;
    size_bytes: number;
    kind: 'image' | 'file';
  }>(
    `select id, object_path, file_name, mime_type, size_bytes, kind from public.notice_attachments
      where notice_id = $1 order by kind desc, sort_order, created_at`,
    [noticeId],
  );
  return rows.map((r) => ({
    id: r.id,
    path: r.object_path,
    fileName: r.file_name,
    mimeType: r.mime_type,
    size: r.size_bytes,
    kind: r.kind,
  }));
}

/** A notice as its publishers see it (any state). Null when the caller may not manage it. */
export async function getNoticeForStaff(tx: Tx, id: string): Promise<StaffNotice | null> {
  const { rows } = await tx.query<{
    id: string;
    company_id: string;
    community_id: string;
    community_name: string;
    title: string;
    category: NoticeCategory;
    priority: NotificationPriority;
    status: NoticeStatus;
    pinned: boolean;
    audience: NoticeAudience;
    building_ids: string[];
    unit_ids: string[];
    body_html: string;
    publish_at: string | null;
    published_at: string | null;
    expires_at: string | null;
    withdrawn_at: string | null;
    withdraw_reason: string | null;
    created_at: string;
    updated_at: string;
  }>(
    `select n.id, n.company_id, n.community_id, c.name as community_name, n.title, n.category, n.priority,
            n.status, n.pinned, n.audience, n.body_html, n.publish_at, n.published_at, n.expires_at,
            n.withdrawn_at, n.withdraw_reason, n.created_at, n.updated_at,
            coalesce(array(select t.building_id::text from public.notice_targets t
                            where t.notice_id = n.id and t.building_id is not null), '{}') as building_ids,
            coalesce(array(select t.unit_id::text from public.notice_targets t
                            where t.notice_id = n.id and t.unit_id is not null), '{}') as unit_ids
       from public.notices n
       join public.communities c on c.id = n.community_id
      where n.id = $1
        and n.community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[])`,
    [id],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    companyId: r.company_id,
    communityId: r.community_id,
    communityName: r.community_name,
    title: r.title,
    category: r.category,
    priority: r.priority,
    status: r.status,
    pinned: r.pinned,
    audience: r.audience,
    buildingIds: r.building_ids,
    unitIds: r.unit_ids,
    bodyHtml: sanitizeNoticeHtml(r.body_html),
    publishAt: r.publish_at,
    publishedAt: r.published_at,
    expiresAt: r.expires_at,
    withdrawnAt: r.withdrawn_at,
    withdrawReason: r.withdraw_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    attachments: await attachmentsOf(tx, r.id),
  };
}

export type AudienceOptions = {
  buildings: { id: string; name: string; units: number }[];
};

/** Buildings of a community for the audience picker. */
export async function audienceOptions(tx: Tx, communityId: string): Promise<AudienceOptions> {
  const { rows } = await tx.query<{ id: string; name: string; units: number }>(
    `select b.id, b.name,
            (select count(*)::int from public.units u where u.building_id = b.id and u.deleted_at is null) as units
       from public.buildings b
      where b.community_id = $1
        and b.community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[])
      order by b.sort_order, b.name`,
    [communityId],
  );
  return { buildings: rows };
}

export type UnitOption = { id: string; label: string };

/** Live units of a building for the audience picker (单元-房号). */
export async function unitOptions(tx: Tx, buildingId: string): Promise<UnitOption[]> {
  const { rows } = await tx.query<{ id: string; entrance: number | null; number: string }>(
    `select u.id, u.entrance, u.number from public.units u
      where u.building_id = $1 and u.deleted_at is null
        and u.community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[])
      order by u.entrance nulls first, u.floor, u.number
      limit 2000`,
    [buildingId],
  );
  return rows.map((r) => ({ id: r.id, label: r.entrance ? `${r.entrance}-${r.number}` : r.number }));
}

function fields(input: NoticeFormInput) {
  const bodyHtml = sanitizeNoticeHtml(input.bodyHtml);
  return {
    title: input.title,
    category: input.category,
    priority: input.priority,
    pinned: input.pinned,
    audience: input.audience,
    bodyHtml,
    bodyText: noticeHtmlToText(bodyHtml).slice(0, 20_000),
    expiresAt: input.expiresAt ? zonedToInstant(input.expiresAt, input.timeZone).toISOString() : null,
  };
}

async function replaceTargets(tx: Tx, noticeId: string, input: NoticeFormInput) {
  await tx.query('delete from public.notice_targets where notice_id = $1', [noticeId]);
  if (input.audience === 'buildings') {
    await tx.query(
      `insert into public.notice_targets (notice_id, building_id)
       select $1, b from unnest($2::uuid[]) b on conflict do nothing`,
      [noticeId, input.buildingIds],
    );
  } else if (input.audience === 'units') {
    await tx.query(
      `insert into public.notice_targets (notice_id, unit_id)
       select $1, u from unnest($2::uuid[]) u on conflict do nothing`,
      [noticeId, input.unitIds],
    );
  }
}

/** Publishes, schedules or keeps as draft, as the editor asked. Returns residents notified now. */
async function applyPublishMode(tx: Tx, noticeId: string, input: NoticeFormInput): Promise<number> {
  if (input.publishMode === 'now') return publishNotice(tx, noticeId);
  if (input.publishMode === 'schedule' && input.publishAt) {
    await scheduleNotice(tx, noticeId, zonedToInstant(input.publishAt, input.timeZone));
  }
  return 0;
}

export async function createNotice(
  tx: Tx,
  input: NoticeFormInput,
): Promise<{ id: string; notified: number }> {
  return guarded(async () => {
    const f = fields(input);
    const { rows } = await tx.query<{ id: string }>(
      `insert into public.notices (company_id, community_id, title, category, priority, pinned, audience,
                                   body_html, body_text, expires_at)
       select c.company_id, c.id, $2, $3, $4, $5, $6, $7, $8, $9
         from public.communities c where c.id = $1
       returning id`,
      [
        input.communityId,
        f.title,
        f.category,
        f.priority,
        f.pinned,
        f.audience,
        f.bodyHtml,
        f.bodyText,
        f.expiresAt,
      ],
    );
    if (!rows[0]) throw new NoticeError('notices.forbidden');
    const id = rows[0].id;
    await replaceTargets(tx, id, input);
    return { id, notified: await applyPublishMode(tx, id, input) };
  });
}

/** Edits a notice (also a published one: residents then see the new text; nobody is notified again). */
export async function updateNotice(
  tx: Tx,
  id: string,
  input: NoticeFormInput,
): Promise<{ notified: number }> {
  return guarded(async () => {
    const f = fields(input);
    const { rows } = await tx.query<{ status: NoticeStatus }>(
      `update public.notices set title = $2, category = $3, priority = $4, pinned = $5, audience = $6,
              body_html = $7, body_text = $8, expires_at = $9
        where id = $1 returning status`,
      [id, f.title, f.category, f.priority, f.pinned, f.audience, f.bodyHtml, f.bodyText, f.expiresAt],
    );
    if (!rows[0]) throw new NoticeError('notices.not_found');
    await replaceTargets(tx, id, input);
    if (rows[0].status === 'scheduled' && input.publishMode === 'draft') await unscheduleNotice(tx, id);
    if (rows[0].status === 'draft' || rows[0].status === 'scheduled') {
      return { notified: await applyPublishMode(tx, id, input) };
    }
    return { notified: 0 };
  });
}

export async function publishNotice(tx: Tx, id: string): Promise<number> {
  return guarded(async () => {
    const { rows } = await tx.query<{ n: number }>('select private.publish_notice($1) as n', [id]);
    return rows[0].n;
  });
}

export async function scheduleNotice(tx: Tx, id: string, at: Date): Promise<void> {
  await guarded(() => tx.query('select private.schedule_notice($1, $2)', [id, at.toISOString()]));
}

export async function unscheduleNotice(tx: Tx, id: string): Promise<void> {
  await guarded(() => tx.query('select private.unschedule_notice($1)', [id]));
}

export async function withdrawNotice(tx: Tx, id: string, reason: string): Promise<void> {
  await guarded(() => tx.query('select private.withdraw_notice($1, $2)', [id, reason]));
}

/** Deletes a notice (the audit trail keeps it); returns the object paths of its files to remove from Storage. */
export async function deleteNotice(tx: Tx, id: string): Promise<{ paths: string[] }> {
  return guarded(async () => {
    const files = await tx.query<{ object_path: string }>(
      'select object_path from public.notice_attachments where notice_id = $1',
      [id],
    );
    const { rowCount } = await tx.query('delete from public.notices where id = $1', [id]);
    if (!rowCount) throw new NoticeError('notices.not_found');
    return { paths: files.rows.map((r) => r.object_path) };
  });
}

export type NoticeStats = {
  notified: number;
  reads: number;
  buildings: { id: string; name: string; audience: number; readers: number }[];
  deliveries: { channel: string; status: string; count: number }[];
};

/** Read receipts per building and push/SMS delivery counts. */
export async function noticeStats(tx: Tx, id: string): Promise<NoticeStats> {
  return guarded(async () => {
    const buildings = await tx.query<{
      building_id: string;
      building_name: string;
      audience: number;
      readers: number;
    }>('select * from private.notice_read_stats($1)', [id]);
    const deliveries = await tx.query<{ channel: string; status: string; deliveries: number }>(
      'select * from private.notice_delivery_stats($1)',
      [id],
    );
    const totals = await tx.query<{ notified: number; reads: number }>(
      'select notified, reads from private.notice_reach(array[$1::uuid])',
      [id],
    );
    return {
      notified: totals.rows[0]?.notified ?? 0,
      reads: totals.rows[0]?.reads ?? 0,
      buildings: buildings.rows.map((b) => ({
        id: b.building_id,
        name: b.building_name,
        audience: b.audience,
        readers: b.readers,
      })),
      deliveries: deliveries.rows.map((d) => ({ channel: d.channel, status: d.status, count: d.deliveries })),
    };
  });
}

// ---------------------------------------------------------------------------------------
// Attachments
// ---------------------------------------------------------------------------------------

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);
const FILE_TYPES = new Set([
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'text/plain',
]);
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

/**
 * Uploads a file to the notice's folder in Storage as the signed-in user (Storage RLS checks
 * notice.publish) and records it. The object name is random; the original name is kept for display.
 */
export async function addAttachment(
  tx: Tx,
  supabase: SupabaseClient,
  noticeId: string,
  file: File,
): Promise<NoticeAttachment> {
  const kind = IMAGE_TYPES.has(file.type) ? 'image' : FILE_TYPES.has(file.type) ? 'file' : null;
  if (!kind || file.size === 0 || file.size > MAX_ATTACHMENT_BYTES)
    throw new NoticeError('notices.attachment_invalid');
  const notice = await tx.query<{ company_id: string; community_id: string }>(
    `select company_id, community_id from public.notices where id = $1
        and community_id = any ((select private.communities_with_permission('notice.publish'))::uuid[])`,
    [noticeId],
  );
  const n = notice.rows[0];
  if (!n) throw new NoticeError('notices.not_found');
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(file.name)?.[1]?.toLowerCase() ?? 'bin';
  const path = `${n.company_id}/${n.community_id}/${noticeId}/${crypto.randomUUID()}.${ext}`;
  const { error } = await supabase.storage.from(NOTICE_FILES_BUCKET).upload(path, file, {
    contentType: file.type,
    upsert: false,
  });
  if (error) throw new NoticeError('notices.attachment_invalid', { cause: error });
  return guarded(async () => {
    const { rows } = await tx.query<{ id: string }>(
      `insert into public.notice_attachments (notice_id, object_path, file_name, mime_type, size_bytes, kind, sort_order)
       values ($1, $2, $3, $4, $5, $6,
               (select coalesce(max(sort_order), 0) + 1 from public.notice_attachments where notice_id = $1))
       returning id`,
      [noticeId, path, file.name.slice(0, 200) || `file.${ext}`, file.type, file.size, kind],
    );
    return { id: rows[0].id, path, fileName: file.name, mimeType: file.type, size: file.size, kind };
  });
}

/** Removes an attachment; returns its object path for Storage removal. */
export async function removeAttachment(tx: Tx, attachmentId: string): Promise<string | null> {
  const { rows } = await tx.query<{ object_path: string }>(
    'delete from public.notice_attachments where id = $1 returning object_path',
    [attachmentId],
  );
  return rows[0]?.object_path ?? null;
}

/** Short-lived download URLs, signed as the signed-in user (Storage RLS decides). */
export async function signAttachments(
  supabase: SupabaseClient,
  attachments: NoticeAttachment[],
): Promise<(NoticeAttachment & { url: string | null })[]> {
  if (attachments.length === 0) return [];
  const { data } = await supabase.storage.from(NOTICE_FILES_BUCKET).createSignedUrls(
    attachments.map((a) => a.path),
    600,
  );
  const byPath = new Map((data ?? []).map((d) => [d.path, d.signedUrl]));
  return attachments.map((a) => ({ ...a, url: byPath.get(a.path) ?? null }));
}

// ---------------------------------------------------------------------------------------
// Residents
// ---------------------------------------------------------------------------------------

export type ResidentNoticeItem = {
  id: string;
  title: string;
  category: NoticeCategory;
  priority: NotificationPriority;
  pinned: boolean;
  publishedAt: string;
  excerpt: string;
  read: boolean;
  communityName: string;
};

/** Published, unexpired notices addressed to the caller's homes: pinned first, newest first. */
export async function listNoticesForResident(
  tx: Tx,
  opts: { category?: NoticeCategory; limit?: number } = {},
): Promise<ResidentNoticeItem[]> {
  const { rows } = await tx.query<{
    id: string;
    title: string;
    category: NoticeCategory;
    priority: NotificationPriority;
    pinned: boolean;
    published_at: string;
    excerpt: string;
    read: boolean;
    community_name: string;
  }>(
    `select n.id, n.title, n.category, n.priority, n.pinned, n.published_at,
            left(regexp_replace(n.body_text, '\\s+', ' ', 'g'), 80) as excerpt,
            exists (select 1 from public.notice_reads r where r.notice_id = n.id and r.user_id = (select auth.uid())) as read,
            c.name as community_name
       from public.notices n
       join public.communities c on c.id = n.community_id
      where n.id = any ((select private.visible_notice_ids())::uuid[])
        and ($1::public.notice_category is null or n.category = $1)
      order by n.pinned desc, n.published_at desc
      limit $2`,
    [opts.category ?? null, Math.min(Math.max(opts.limit ?? 50, 1), 200)],
  );
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    category: r.category,
    priority: r.priority,
    pinned: r.pinned,
    publishedAt: r.published_at,
    excerpt: r.excerpt,
    read: r.read,
    communityName: r.community_name,
  }));
}

export type ResidentNotice = {
  id: string;
  title: string;
  category: NoticeCategory;
  priority: NotificationPriority;
  pinned: boolean;
  publishedAt: string;
  updatedAt: string;
  edited: boolean;
  expiresAt: string | null;
  bodyHtml: string;
  communityName: string;
  attachments: NoticeAttachment[];
};

/** One notice for a resident, or null when it is not (or no longer) addressed to them. */
export async function getNoticeForResident(tx: Tx, id: string): Promise<ResidentNotice | null> {
  const { rows } = await tx.query<{
    id: string;
    title: string;
    category: NoticeCategory;
    priority: NotificationPriority;
    pinned: boolean;
    published_at: string;
    updated_at: string;
    edited: boolean;
    expires_at: string | null;
    body_html: string;
    community_name: string;
  }>(
    `select n.id, n.title, n.category, n.priority, n.pinned, n.published_at, n.updated_at,
            n.updated_at > n.published_at + interval '1 minute' as edited, n.expires_at, n.body_html,
            c.name as community_name
       from public.notices n
       join public.communities c on c.id = n.community_id
      where n.id = $1 and n.id = any ((select private.visible_notice_ids())::uuid[])`,
    [id],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    title: r.title,
    category: r.category,
    priority: r.priority,
    pinned: r.pinned,
    publishedAt: r.published_at,
    updatedAt: r.updated_at,
    edited: r.edited,
    expiresAt: r.expires_at,
    bodyHtml: sanitizeNoticeHtml(r.body_html),
    communityName: r.community_name,
    attachments: await attachmentsOf(tx, r.id),
  };
}

/** Records that the caller read the notice (once) and marks its inbox entry read. */
export async function recordNoticeRead(tx: Tx, id: string): Promise<void> {
  await tx.query(
    `insert into public.notice_reads (notice_id) select $1::uuid
      where $1::uuid = any ((select private.visible_notice_ids())::uuid[])
     on conflict (notice_id, user_id) do nothing`,
    [id],
  );
  await markEventRead(tx, `notice:${id}`);
}
