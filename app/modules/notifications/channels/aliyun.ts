import type { Fetch, NotificationChannel, OutgoingMessage, SendResult } from '../channel.ts';

/**
 * Aliyun (阿里云) over its RPC-style OpenAPI, signed with HMAC-SHA1 (signature version 1.0):
 * SMS through Dysms `SendSms` (approved signature 签名 and template 模板 with ${title} and
 * ${body}), e-mail through DirectMail `SingleSendMail`. Uses fetch and Web Crypto only, so it
 * runs in Node and in the notify-dispatch Edge Function alike.
 */

export type AliyunCredentials = { accessKeyId: string; accessKeySecret: string };

/** RFC 3986 encoding as Aliyun's POP signature wants it (space → %20, `*` → %2A, `~` kept). */
export function aliyunPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

async function hmacSha1Base64(key: string, data: string): Promise<string> {
  const enc = new TextEncoder();
  const k = await crypto.subtle.importKey('raw', enc.encode(key), { name: 'HMAC', hash: 'SHA-1' }, false, [
    'sign',
  ]);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', k, enc.encode(data)));
  let binary = '';
  for (const b of sig) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Signs RPC parameters: sorted, encoded query string → `METHOD&%2F&<encoded query>` → HMAC-SHA1(secret + "&"). */
export async function signAliyunRpc(
  method: 'GET' | 'POST',
  params: Record<string, string>,
  accessKeySecret: string,
): Promise<string> {
  const canonical = Object.keys(params)
    .sort()
    .map((k) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(params[k])}`)
    .join('&');
  const stringToSign = `${method}&${aliyunPercentEncode('/')}&${aliyunPercentEncode(canonical)}`;
  return hmacSha1Base64(`${accessKeySecret}&`, stringToSign);
}

type RpcOptions = {
  endpoint: string;
  action: string;
  version: string;
  regionId?: string;
  credentials: AliyunCredentials;
  fetch: Fetch;
  now?: () => Date;
  nonce?: () => string;
};

async function callRpc(
  opts: RpcOptions,
  params: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const all: Record<string, string> = {
    Action: opts.action,
    Version: opts.version,
    Format: 'JSON',
    AccessKeyId: opts.credentials.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: opts.nonce?.() ?? crypto.randomUUID(),
    Timestamp: (opts.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(opts.regionId ? { RegionId: opts.regionId } : {}),
    ...params,
  };
  all.Signature = await signAliyunRpc('POST', all, opts.credentials.accessKeySecret);
  const body = Object.keys(all)
    .map((k) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(all[k])}`)
    .join('&');
  const res = await opts.fetch(opts.endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { Code: `HTTP${res.status}`, Message: text.slice(0, 200) };
  }
  return { status: res.status, body: parsed };
}

/** Aliyun wants mainland numbers without 86 and others with their country code. */
export function aliyunPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return /^861[3-9]\d{9}$/.test(digits) ? digits.slice(2) : digits;
}

// Throttling and provider-side trouble are worth another try; a bad number or template is not.
const RETRYABLE_CODES =
  /^(isv\.BUSINESS_LIMIT_CONTROL|Throttling.*|ServiceUnavailable|InternalError|isp\..*|HTTP5\d\d)$/;

function outcome(status: number, body: Record<string, unknown>, idField: string): SendResult {
  const code = String(body.Code ?? (status < 300 ? 'OK' : `HTTP${status}`));
  if (status < 300 && (code === 'OK' || body[idField])) {
    return { ok: true, messageId: String(body[idField] ?? body.RequestId ?? '') };
  }
  return {
    ok: false,
    error: `${code}: ${String(body.Message ?? '')}`.slice(0, 300),
    retryable: status >= 500 || RETRYABLE_CODES.test(code),
  };
}

export type AliyunSmsConfig = {
  credentials: AliyunCredentials;
  signName: string;
  templateCode: string;
  endpoint?: string;
  fetch?: Fetch;
  now?: () => Date;
  nonce?: () => string;
};

export function createAliyunSmsChannel(cfg: AliyunSmsConfig): NotificationChannel {
  const rpc: RpcOptions = {
    endpoint: cfg.endpoint ?? 'https://dysmsapi.aliyuncs.com/',
    action: 'SendSms',
    version: '2017-05-25',
    regionId: 'cn-hangzhou',
    credentials: cfg.credentials,
    fetch: cfg.fetch ?? (fetch as unknown as Fetch),
    now: cfg.now,
    nonce: cfg.nonce,
  };
  return {
    kind: 'sms',
    provider: 'aliyun-sms',
    async send(m: OutgoingMessage): Promise<SendResult> {
      const { status, body } = await callRpc(rpc, {
        PhoneNumbers: aliyunPhone(m.to),
        SignName: cfg.signName,
        TemplateCode: cfg.templateCode,
        TemplateParam: JSON.stringify(m.templateParams),
        OutId: String(m.deliveryId),
      });
      return outcome(status, body, 'BizId');
    },
  };
}

export type AliyunEmailConfig = {
  credentials: AliyunCredentials;
  /** The verified sender address (发信地址), e.g. notice@mail.example.com. */
  accountName: string;
  fromAlias?: string;
  endpoint?: string;
  fetch?: Fetch;
  now?: () => Date;
  nonce?: () => string;
};

export function createAliyunEmailChannel(cfg: AliyunEmailConfig): NotificationChannel {
  const rpc: RpcOptions = {
    endpoint: cfg.endpoint ?? 'https://dm.aliyuncs.com/',
    action: 'SingleSendMail',
    version: '2015-11-23',
    credentials: cfg.credentials,
    fetch: cfg.fetch ?? (fetch as unknown as Fetch),
    now: cfg.now,
    nonce: cfg.nonce,
  };
  return {
    kind: 'email',
    provider: 'aliyun-directmail',
    async send(m: OutgoingMessage): Promise<SendResult> {
      const { status, body } = await callRpc(rpc, {
        AccountName: cfg.accountName,
        AddressType: '1',
        ReplyToAddress: 'false',
        ToAddress: m.to,
        Subject: m.subject,
        TextBody: m.text,
        ...(m.html ? { HtmlBody: m.html } : {}),
        ...(cfg.fromAlias ? { FromAlias: cfg.fromAlias } : {}),
      });
      return outcome(status, body, 'EnvId');
    },
  };
}
