import type {
  Locale,
  NotificationChannel,
  PushSender,
  PushTarget,
  Queryable,
  SendResult,
} from './channel.ts';

/**
 * The delivery job (run by the notify-dispatch Edge Function): lease due deliveries, send them,
 * record outcomes. Claiming and recording are short service-role transactions; sending happens
 * between them, outside any transaction, so a slow provider never holds locks. A run that dies
 * mid-way leaves its rows leased; the lease (5 min) runs out and the next run takes them.
 */

export type DispatchDeps = {
  /** Runs `fn` in one service-role transaction. */
  withDb: <T>(fn: (db: Queryable) => Promise<T>) => Promise<T>;
  sms: NotificationChannel | null;
  email: NotificationChannel | null;
  /** null when no VAPID keys are configured: push deliveries are skipped. */
  push: PushSender | null;
  /** Public origin of the app for links in SMS and e-mail. */
  appUrl: string | null;
  batchSize?: number;
  /** Stop after this many batches, leaving the rest to the next run. */
  maxBatches?: number;
  maxAttempts?: number;
  concurrency?: number;
  log?: (msg: string, details?: Record<string, unknown>) => void;
};

export type DispatchSummary = {
  claimed: number;
  sent: number;
  failed: number;
  dead: number;
  skipped: number;
};

type Claimed = {
  id: number;
  channel: 'push' | 'sms' | 'email';
  attempts: number;
  user_id: string;
  notification_id: string;
  category: string;
  priority: 'normal' | 'important' | 'emergency';
  title: string;
  body: string;
  link: string | null;
  locale: string;
  phone: string | null;
  email: string | null;
  push_subscriptions: PushTarget[] | null;
};

type Outcome = {
  id: number;
  status: 'sent' | 'failed' | 'dead' | 'skipped';
  error?: string;
  provider_message_id?: string;
  retry_in_seconds?: number;
};

type PushBookkeeping = { gone: string[]; ok: string[]; failed: string[] };

/** Back-off before attempt n+1: 30 s, 1 min, 2 min, 4 min … at most 1 h. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(30 * 2 ** Math.max(attempts - 1, 0), 3600);
}

const asLocale = (l: string): Locale => (l === 'en' ? 'en' : 'zh-CN');

function fromResult(d: Claimed, r: SendResult): Outcome {
  if (r.ok) return { id: d.id, status: 'sent', provider_message_id: r.messageId };
  // A permanent refusal (bad number, rejected content) is dead at once; no retry can fix it.
  if (!r.retryable) return { id: d.id, status: 'dead', error: r.error };
  return { id: d.id, status: 'failed', error: r.error, retry_in_seconds: retryDelaySeconds(d.attempts) };
}

async function sendPush(deps: DispatchDeps, d: Claimed, book: PushBookkeeping): Promise<Outcome> {
  if (!deps.push) return { id: d.id, status: 'skipped', error: 'web push is not configured (no VAPID keys)' };
  const targets = d.push_subscriptions ?? [];
  if (targets.length === 0) return { id: d.id, status: 'skipped', error: 'no push device' };
  const payload = renderPushPayload({
    notificationId: d.notification_id,
    title: d.title,
    body: d.body,
    link: d.link,
    category: d.category,
    priority: d.priority,
  });
  const results = await Promise.all(
    targets.map(async (t) => ({
      t,
      r: await deps.push!.send(t, payload, {
        urgency: d.priority === 'normal' ? 'normal' : 'high',
        ttlSeconds: d.priority === 'emergency' ? 6 * 3600 : 24 * 3600,
        topic: d.notification_id.replace(/-/g, ''),
      }),
    })),
  );
  for (const { t, r } of results) {
    if (r.ok) book.ok.push(t.id);
    else if (r.gone) book.gone.push(t.id);
    else book.failed.push(t.id);
  }
  const delivered = results.filter((x) => x.r.ok).length;
  if (delivered > 0)
    return { id: d.id, status: 'sent', provider_message_id: `push:${delivered}/${targets.length}` };
  if (results.every((x) => !x.r.ok && x.r.gone)) {
    return { id: d.id, status: 'skipped', error: 'every push device is gone' };
  }
  const first = results.find((x) => !x.r.ok)?.r;
  return {
    id: d.id,
    status: 'failed',
    error: first && !first.ok ? first.error : 'push failed',
    retry_in_seconds: retryDelaySeconds(d.attempts),
  };
}

async function sendOne(deps: DispatchDeps, d: Claimed, book: PushBookkeeping): Promise<Outcome> {
  const input: RenderInput = {
    title: d.title,
    body: d.body,
    link: d.link,
    locale: asLocale(d.locale),
    appUrl: deps.appUrl,
  };
  try {
    if (d.channel === 'push') return await sendPush(deps, d, book);
    if (d.channel === 'sms') {
      if (!deps.sms) return { id: d.id, status: 'skipped', error: 'no SMS provider configured' };
      if (!d.phone) return { id: d.id, status: 'skipped', error: 'no verified phone' };
      const text = renderSms(input);
      return fromResult(
        d,
        await deps.sms.send({
          deliveryId: d.id,
          to: d.phone,
          subject: d.title,
          text,
          templateParams: { title: d.title.slice(0, 20), body: d.body.replace(/\s+/g, ' ').slice(0, 35) },
          locale: input.locale,
        }),
      );
    }
    if (!deps.email) return { id: d.id, status: 'skipped', error: 'no e-mail provider configured' };
    if (!d.email) return { id: d.id, status: 'skipped', error: 'no verified e-mail address' };
    const mail = renderEmail(input);
    return fromResult(
      d,
      await deps.email.send({
        deliveryId: d.id,
        to: d.email,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        templateParams: { title: d.title, body: d.body },
        locale: input.locale,
      }),
    );
  } catch (err) {
    return {
      id: d.id,
      status: 'failed',
      error: String((err as Error)?.message ?? err).slice(0, 300),
      retry_in_seconds: retryDelaySeconds(d.attempts),
    };
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

export async function dispatchDue(deps: DispatchDeps): Promise<DispatchSummary> {
  const batchSize = deps.batchSize ?? 200;
  const maxBatches = deps.maxBatches ?? 50;
  const maxAttempts = deps.maxAttempts ?? 5;
  const summary: DispatchSummary = { claimed: 0, sent: 0, failed: 0, dead: 0, skipped: 0 };
  for (let batch = 0; batch < maxBatches; batch++) {
    const claimed = await deps.withDb(async (db) => {
      const { rows } = await db.query<Claimed>(
        'select * from private.claim_notification_deliveries($1::int)',
        [batchSize],
      );
      return rows;
    });
    if (claimed.length === 0) break;
    summary.claimed += claimed.length;
    const book: PushBookkeeping = { gone: [], ok: [], failed: [] };
    const outcomes = await mapLimit(claimed, deps.concurrency ?? 16, (d) => sendOne(deps, d, book));
    await deps.withDb(async (db) => {
      await db.query('select private.complete_notification_deliveries($1::jsonb, $2::int)', [
        JSON.stringify(outcomes),
        maxAttempts,
      ]);
      if (book.gone.length || book.ok.length || book.failed.length) {
        await db.query('select private.record_push_results($1::uuid[], $2::uuid[], $3::uuid[])', [
          book.gone,
          book.ok,
          book.failed,
        ]);
      }
    });
    const attempts = new Map(claimed.map((c) => [c.id, c.attempts]));
    for (const o of outcomes) {
      if (o.status === 'sent') summary.sent++;
      else if (o.status === 'skipped') summary.skipped++;
      else if (o.status === 'dead' || (attempts.get(o.id) ?? 0) >= maxAttempts) summary.dead++;
      else summary.failed++;
    }
    deps.log?.('dispatched a batch', { batch, claimed: claimed.length });
    if (claimed.length < batchSize) break;
  }
  return summary;
}

// ---------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------

/**
 * Texts of push, SMS and e-mail for one inbox entry. The entry's title and body are already in
 * the sender's words (a notice's own text); only the frame around them is localized here.
 */
export type RenderInput = {
  title: string;
  body: string;
  link: string | null;
  locale: Locale;
  /** Public origin of the app (https://wuye.example.com) for links in SMS and e-mail; null leaves them out. */
  appUrl: string | null;
};

const BRAND: Record<Locale, { sms: string; name: string; open: string; footer: string }> = {
  'zh-CN': {
    sms: '【物业云】',
    name: '物业云',
    open: '查看详情',
    footer: '您收到这封邮件，是因为您在物业云开启了邮件通知，可在「我的 → 消息设置」中关闭。',
  },
  en: {
    sms: '[WuyeCloud] ',
    name: 'WuyeCloud',
    open: 'Open',
    footer:
      'You get this e-mail because e-mail notifications are on in WuyeCloud (Me → Notification settings).',
  },
};

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function absolute(link: string | null, appUrl: string | null): string | null {
  if (!link || !appUrl) return null;
  return new URL(link, appUrl).toString();
}

/** One SMS (≤ 140 characters of content, which is 2 billed segments in China at most). */
export function renderSms(m: RenderInput): string {
  const b = BRAND[m.locale];
  const sep = m.locale === 'en' ? ': ' : '：';
  const url = absolute(m.link, m.appUrl);
  const body = clip(m.body.replace(/\s+/g, ' ').trim(), 80);
  return `${b.sms}${clip(m.title, 40)}${body ? sep + body : ''}${url ? ` ${url}` : ''}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderEmail(m: RenderInput): { subject: string; text: string; html: string } {
  const b = BRAND[m.locale];
  const url = absolute(m.link, m.appUrl);
  const subject = `${m.locale === 'en' ? '[WuyeCloud] ' : '【物业云】'}${clip(m.title, 100)}`;
  const text = [m.title, '', m.body, ...(url ? ['', `${b.open}: ${url}`] : []), '', '—', b.footer].join('\n');
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.6;color:#111">
<h2 style="margin:0 0 12px">${escapeHtml(m.title)}</h2>
<p style="white-space:pre-wrap;margin:0 0 16px">${escapeHtml(m.body)}</p>
${url ? `<p><a href="${escapeHtml(url)}" style="color:#0d9488">${escapeHtml(b.open)}</a></p>` : ''}
<hr style="border:none;border-top:1px solid #ddd;margin:24px 0 8px"><p style="color:#666;font-size:12px">${escapeHtml(b.footer)}</p>
</body></html>`;
  return { subject, text, html };
}

/** The JSON the service worker (public/sw.js) turns into a system notification. */
export function renderPushPayload(m: {
  notificationId: string;
  title: string;
  body: string;
  link: string | null;
  category: string;
  priority: string;
}): string {
  return JSON.stringify({
    id: m.notificationId,
    title: clip(m.title, 100),
    body: clip(m.body, 200),
    link: m.link ?? '/me/notifications',
    category: m.category,
    priority: m.priority,
  });
}
