import { data, redirect } from '@remix-run/node';
import { z } from 'zod';
import { withUser } from '~/lib/db.server';
import { formErrorsFromZod } from '~/lib/form-errors';
import { requireUser } from '~/modules/auth/session.server';
import { isNoticeError } from './errors';
import { readNoticeForm, withdrawSchema } from './notices.schema';
import {
  addAttachment,
  audienceOptions,
  createNotice,
  deleteNotice,
  getNoticeForStaff,
  listPublishingCommunities,
  NOTICE_FILES_BUCKET,
  noticeStats,
  publishNotice,
  removeAttachment,
  signAttachments,
  unscheduleNotice,
  updateNotice,
  withdrawNotice,
} from './notices.server';

/**
 * Request handling of the back-office notice pages (loaders/actions stay one line each in the
 * route files): authenticate as staff, parse, call the domain, answer or redirect.
 */

const uuid = z.string().uuid();

function notFound(headers: Headers): never {
  throw data(null, { status: 404, headers });
}

/** The editor (new when `id` is null). */
export async function loadEditor(request: Request, id: string | null) {
  const { user, headers } = await requireUser(request, { surface: 'office' });
  if (id !== null && !uuid.safeParse(id).success) notFound(headers);
  const wanted = new URL(request.url).searchParams.get('community');
  return withUser(
    user.claims,
    async (tx) => {
      const communities = await listPublishingCommunities(tx);
      const notice = id ? await getNoticeForStaff(tx, id) : null;
      if (id && !notice) notFound(headers);
      if (!id && communities.length === 0) throw data(null, { status: 403, headers });
      const communityId =
        notice?.communityId ?? communities.find((c) => c.id === wanted)?.id ?? communities[0].id;
      return data(
        { communities, notice, communityId, audience: await audienceOptions(tx, communityId) },
        { headers },
      );
    },
    { readOnly: true },
  );
}

export async function saveEditor(request: Request, id: string | null) {
  const { user, headers } = await requireUser(request, { surface: 'office' });
  if (id !== null && !uuid.safeParse(id).success) notFound(headers);
  const parsed = readNoticeForm(await request.formData());
  if (!parsed.success) return data({ errors: formErrorsFromZod(parsed.error) }, { status: 400, headers });
  try {
    const saved = await withUser(user.claims, async (tx) =>
      id ? { id, ...(await updateNotice(tx, id, parsed.data)) } : createNotice(tx, parsed.data),
    );
    return redirect(`/office/notices/${saved.id}`, { headers });
  } catch (err) {
    if (isNoticeError(err))
      return data({ errors: { form: [{ key: err.messageKey }] } }, { status: 400, headers });
    throw err;
  }
}

/** The notice page: preview, state, actions, read rate per building, deliveries. */
export async function loadNoticeDetail(request: Request, id: string) {
  const { user, supabase, headers } = await requireUser(request, { surface: 'office' });
  if (!uuid.safeParse(id).success) notFound(headers);
  const page = await withUser(
    user.claims,
    async (tx) => {
      const notice = await getNoticeForStaff(tx, id);
      if (!notice) notFound(headers);
      return { notice, stats: notice.status === 'draft' ? null : await noticeStats(tx, id) };
    },
    { readOnly: true },
  );
  const attachments = await signAttachments(supabase, page.notice.attachments);
  return data({ notice: { ...page.notice, attachments }, stats: page.stats }, { headers });
}

const detailIntents = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('publish') }),
  z.object({ intent: z.literal('unschedule') }),
  z.object({ intent: z.literal('withdraw') }).merge(withdrawSchema),
  z.object({ intent: z.literal('delete') }),
  z.object({ intent: z.literal('removeAttachment'), attachmentId: uuid }),
  z.object({ intent: z.literal('addAttachment') }),
]);

export async function handleNoticeDetailAction(request: Request, id: string) {
  const { user, supabase, headers } = await requireUser(request, { surface: 'office' });
  if (!uuid.safeParse(id).success) notFound(headers);
  const formData = await request.formData();
  const parsed = detailIntents.safeParse(
    Object.fromEntries([...formData].filter(([, v]) => typeof v === 'string')),
  );
  if (!parsed.success)
    return data(
      { errors: { form: [{ key: 'form.invalid' as const }] }, done: null },
      { status: 400, headers },
    );
  const input = parsed.data;
  try {
    switch (input.intent) {
      case 'publish': {
        const notified = await withUser(user.claims, (tx) => publishNotice(tx, id));
        return data({ errors: null, done: { intent: input.intent, notified } }, { headers });
      }
      case 'unschedule':
        await withUser(user.claims, (tx) => unscheduleNotice(tx, id));
        break;
      case 'withdraw':
        await withUser(user.claims, (tx) => withdrawNotice(tx, id, input.reason));
        break;
      case 'delete': {
        const { paths } = await withUser(user.claims, (tx) => deleteNotice(tx, id));
        if (paths.length) await supabase.storage.from(NOTICE_FILES_BUCKET).remove(paths);
        return redirect('/office/notices', { headers });
      }
      case 'removeAttachment': {
        const path = await withUser(user.claims, (tx) => removeAttachment(tx, input.attachmentId));
        if (path) await supabase.storage.from(NOTICE_FILES_BUCKET).remove([path]);
        break;
      }
      case 'addAttachment': {
        const files = formData.getAll('files').filter((f): f is File => f instanceof File && f.size > 0);
        await withUser(user.claims, async (tx) => {
          for (const file of files) await addAttachment(tx, supabase, id, file);
        });
        break;
      }
    }
    return data({ errors: null, done: { intent: input.intent, notified: 0 } }, { headers });
  } catch (err) {
    if (isNoticeError(err)) {
      return data({ errors: { form: [{ key: err.messageKey }] }, done: null }, { status: 400, headers });
    }
    throw err;
  }
}
