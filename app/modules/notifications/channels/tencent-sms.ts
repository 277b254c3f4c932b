import type { Fetch, NotificationChannel, OutgoingMessage, SendResult } from '../channel.ts';

/**
 * Tencent Cloud SMS (腾讯云短信) `SendSms` (API 2021-01-11), signed with TC3-HMAC-SHA256.
 * Template parameters are positional: {1} = title, {2} = body. Fetch and Web Crypto only.
 */

export type TencentSmsConfig = {
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  signName: string;
  templateId: string;
  region?: string;
  endpoint?: string;
  fetch?: Fetch;
  now?: () => Date;
};

const enc = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256Hex(data: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', enc.encode(data)));
}

async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey(
    'raw',
    new Uint8Array(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return crypto.subtle.sign('HMAC', k, enc.encode(data));
}

/** The `Authorization` header of TC3-HMAC-SHA256 for a JSON POST to `/`. */
export async function tc3Authorization(opts: {
  secretId: string;
  secretKey: string;
  service: string;
  host: string;
  action: string;
  payload: string;
  timestamp: number;
}): Promise<string> {
  const date = new Date(opts.timestamp * 1000).toISOString().slice(0, 10);
  const signedHeaders = 'content-type;host;x-tc-action';
  const canonicalRequest = [
    'POST',
    '/',
    '',
    `content-type:application/json; charset=utf-8\nhost:${opts.host}\nx-tc-action:${opts.action.toLowerCase()}\n`,
    signedHeaders,
    await sha256Hex(opts.payload),
  ].join('\n');
  const scope = `${date}/${opts.service}/tc3_request`;
  const stringToSign = `TC3-HMAC-SHA256\n${opts.timestamp}\n${scope}\n${await sha256Hex(canonicalRequest)}`;
  const secretDate = await hmac(enc.encode(`TC3${opts.secretKey}`), date);
  const secretService = await hmac(secretDate, opts.service);
  const secretSigning = await hmac(secretService, 'tc3_request');
  const signature = hex(await hmac(secretSigning, stringToSign));
  return `TC3-HMAC-SHA256 Credential=${opts.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

const RETRYABLE =
  /^(LimitExceeded.*|InternalError.*|RequestLimitExceeded.*|FailedOperation\.(Frequency|Busy).*)$/;

export function createTencentSmsChannel(cfg: TencentSmsConfig): NotificationChannel {
  const endpoint = cfg.endpoint ?? 'https://sms.tencentcloudapi.com/';
  const host = new URL(endpoint).host;
  const doFetch = cfg.fetch ?? (fetch as unknown as Fetch);
  return {
    kind: 'sms',
    provider: 'tencent-sms',
    async send(m: OutgoingMessage): Promise<SendResult> {
      const payload = JSON.stringify({
        PhoneNumberSet: [`+${m.to.replace(/\D/g, '')}`],
        SmsSdkAppId: cfg.sdkAppId,
        SignName: cfg.signName,
        TemplateId: cfg.templateId,
        TemplateParamSet: [m.templateParams.title, m.templateParams.body],
        SessionContext: String(m.deliveryId),
      });
      const timestamp = Math.floor((cfg.now?.() ?? new Date()).getTime() / 1000);
      const res = await doFetch(endpoint, {
        method: 'POST',
        headers: {
          Authorization: await tc3Authorization({
            secretId: cfg.secretId,
            secretKey: cfg.secretKey,
            service: 'sms',
            host,
            action: 'SendSms',
            payload,
            timestamp,
          }),
          'Content-Type': 'application/json; charset=utf-8',
          Host: host,
          'X-TC-Action': 'SendSms',
          'X-TC-Timestamp': String(timestamp),
          'X-TC-Version': '2021-01-11',
          'X-TC-Region': cfg.region ?? 'ap-guangzhou',
        },
        body: payload,
      });
      const text = await res.text();
      type TencentResponse = {
        Response?: {
          Error?: { Code: string; Message: string };
          SendStatusSet?: { SerialNo: string; Code: string; Message: string }[];
        };
      };
      let body: TencentResponse = {};
      try {
        body = JSON.parse(text) as TencentResponse;
      } catch {
        return { ok: false, error: `HTTP${res.status}: ${text.slice(0, 200)}`, retryable: res.status >= 500 };
      }
      const error = body.Response?.Error;
      if (error)
        return { ok: false, error: `${error.Code}: ${error.Message}`, retryable: RETRYABLE.test(error.Code) };
      const status = body.Response?.SendStatusSet?.[0];
      if (status?.Code === 'Ok') return { ok: true, messageId: status.SerialNo };
      const code = status?.Code ?? `HTTP${res.status}`;
      return {
        ok: false,
        error: `${code}: ${status?.Message ?? ''}`.slice(0, 300),
        retryable: res.status >= 500 || RETRYABLE.test(code),
      };
    },
  };
}
