import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { normalizePhone } from './validate';

/**
 * The one way the Auth service sends messages. Locally it is the database outbox below; on
 * hosted Supabase GoTrue itself sends e-mail (SMTP) and SMS (the Send SMS hook wired to Aliyun
 * or Tencent SMS, see docs/auth.md), so no other implementation lives in this folder.
 */
export type MessageSender = {
  sendSms(message: { phone: string; body: string; otp: string }): Promise<{ messageId: string }>;
  sendEmail(message: { to: string; subject: string; html: string; text: string; otp?: string }): Promise<{
    messageId: string;
  }>;
};

export type OutboxMessage = {
  id: number;
  channel: 'sms' | 'email';
  to: string;
  subject: string | null;
  body: string;
  html: string | null;
  otp: string | null;
  created_at: string;
};

/** Writes every message to `_local_platform.auth_outbox` instead of sending it. */
export function createOutboxSender(pool: pg.Pool): MessageSender {
  const insert = async (values: unknown[]) => {
    const r = await pool.query<{ id: string }>(
      `insert into _local_platform.auth_outbox (channel, recipient, subject, body, html, otp)
       values ($1, $2, $3, $4, $5, $6) returning id`,
      values,
    );
    return { messageId: `outbox-${r.rows[0].id}` };
  };
  return {
    sendSms: (m) => insert(['sms', m.phone, null, m.body, null, m.otp]),
    sendEmail: (m) => insert(['email', m.to.toLowerCase(), m.subject, m.text, m.html, m.otp ?? null]),
  };
}

/** `+86 138…`, `86138…` and `A@B.cn` all name the same outbox recipient. */
export function outboxRecipient(to: string): string {
  const trimmed = to.trim();
  return trimmed.includes('@') ? trimmed.toLowerCase() : normalizePhone(trimmed);
}

export async function readOutbox(
  pool: pg.Pool,
  opts: { to?: string; limit?: number },
): Promise<OutboxMessage[]> {
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
  const r = await pool.query(
    `select id, channel, recipient, subject, body, html, otp, created_at
       from _local_platform.auth_outbox
      where $1::text is null or recipient = $1
      order by id desc
      limit $2`,
    [opts.to ? outboxRecipient(opts.to) : null, limit],
  );
  return r.rows.map((row) => ({
    id: Number(row.id),
    channel: row.channel,
    to: row.recipient,
    subject: row.subject,
    body: row.body,
    html: row.html,
    otp: row.otp,
    created_at: (row.created_at as Date).toISOString(),
  }));
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function renderOutboxPage(messages: OutboxMessage[], to: string | undefined): string {
  const items = messages
    .map((m) => {
      const head = `<div class="meta"><b>${m.channel === 'sms' ? '短信 SMS' : '邮件 E-mail'}</b> → <code>${escapeHtml(m.to)}</code> · <time>${escapeHtml(m.created_at)}</time>${m.otp ? ` · 验证码 code <code class="otp">${escapeHtml(m.otp)}</code>` : ''}</div>`;
      const subject = m.subject ? `<div class="subject">${escapeHtml(m.subject)}</div>` : '';
      return `<li>${head}${subject}<pre>${escapeHtml(m.body)}</pre></li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>本地发件箱 Local outbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#111}
li{list-style:none;border:1px solid #ddd;border-radius:6px;padding:.75rem 1rem;margin:.75rem 0}
.meta{color:#555}.subject{font-weight:600;margin-top:.25rem}.otp{font-size:1.1em;font-weight:700}
pre{white-space:pre-wrap;margin:.5rem 0 0;font:inherit}ul{padding:0}
</style></head><body>
<h1>本地发件箱 <small>Local outbox</small></h1>
<p>Messages the local Auth service would have sent, newest first${to ? ` — to <code>${escapeHtml(to)}</code> (<a href="/_dev/outbox">all</a>)` : ''}. JSON: <code>?format=json&amp;to=&lt;phone or email&gt;</code>.</p>
${messages.length ? `<ul>${items}</ul>` : '<p><i>No messages yet.</i></p>'}
</body></html>`;
}

/** `GET /_dev/outbox[?to=…][&format=json][&limit=…]`: the local outbox, for people and tests. */
export async function handleOutboxRoute(
  pool: pg.Pool,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  if (url.pathname !== '/_dev/outbox' && url.pathname !== '/_dev/outbox/') return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Method Not Allowed');
    return true;
  }
  const to = url.searchParams.get('to') ?? undefined;
  const limit = Number(url.searchParams.get('limit') ?? 100) || 100;
  const messages = await readOutbox(pool, { to, limit });
  const wantsJson = url.searchParams.get('format') === 'json';
  const text = wantsJson ? JSON.stringify({ messages }) : renderOutboxPage(messages, to);
  res.writeHead(200, {
    'Content-Type': wantsJson ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : text);
  return true;
}
