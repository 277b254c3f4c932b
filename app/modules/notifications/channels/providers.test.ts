import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Fetch } from '../channel';
import { aliyunPercentEncode, aliyunPhone, createAliyunSmsChannel, signAliyunRpc } from './aliyun';
import { createTencentSmsChannel } from './tencent-sms';

const message = {
  deliveryId: 42,
  to: '8613800000001',
  subject: '停水通知',
  text: '【物业云】停水通知：明天停水',
  templateParams: { title: '停水通知', body: '明天 8:00-12:00 停水' },
  locale: 'zh-CN' as const,
};

function recordingFetch(status: number, body: unknown) {
  const calls: { url: string; method: string; headers: Record<string, string>; body?: string }[] = [];
  const fetch: Fetch = async (url, init) => {
    calls.push({ url, ...init });
    return { status, text: async () => JSON.stringify(body) };
  };
  return { fetch, calls };
}

describe('Aliyun RPC signature', () => {
  it("matches the worked example of Aliyun's signature documentation", async () => {
    const params = {
      Timestamp: '2016-02-23T12:46:24Z',
      Format: 'XML',
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      Version: '2014-05-26',
      SignatureVersion: '1.0',
    };
    expect(await signAliyunRpc('GET', params, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('percent-encodes as POP wants it', () => {
    expect(aliyunPercentEncode("a b*c~d!'()")).toBe('a%20b%2Ac~d%21%27%28%29');
    expect(aliyunPhone('8613800000001')).toBe('13800000001');
    expect(aliyunPhone('85212345678')).toBe('85212345678');
  });

  it('sends SendSms with the template parameters and reads the BizId', async () => {
    const { fetch, calls } = recordingFetch(200, {
      Code: 'OK',
      BizId: '900619746936498440^0',
      RequestId: 'r',
    });
    const sms = createAliyunSmsChannel({
      credentials: { accessKeyId: 'id', accessKeySecret: 'secret' },
      signName: '物业云',
      templateCode: 'SMS_1',
      fetch,
      now: () => new Date('2026-11-22T00:00:00Z'),
      nonce: () => 'n1',
    });
    expect(await sms.send(message)).toEqual({ ok: true, messageId: '900619746936498440^0' });
    const form = new URLSearchParams(calls[0].body);
    expect(Object.fromEntries(form)).toMatchObject({
      Action: 'SendSms',
      PhoneNumbers: '13800000001',
      SignName: '物业云',
      TemplateCode: 'SMS_1',
      TemplateParam: JSON.stringify(message.templateParams),
      OutId: '42',
    });
    // The signature covers every other parameter.
    const { Signature, ...rest } = Object.fromEntries(form);
    expect(Signature).toBe(await signAliyunRpc('POST', rest, 'secret'));
  });

  it('tells retryable from permanent failures', async () => {
    const busy = createAliyunSmsChannel({
      credentials: { accessKeyId: 'id', accessKeySecret: 's' },
      signName: 'x',
      templateCode: 't',
      fetch: recordingFetch(200, { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发流控' }).fetch,
    });
    expect(await busy.send(message)).toMatchObject({ ok: false, retryable: true });
    const bad = createAliyunSmsChannel({
      credentials: { accessKeyId: 'id', accessKeySecret: 's' },
      signName: 'x',
      templateCode: 't',
      fetch: recordingFetch(200, { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' }).fetch,
    });
    expect(await bad.send(message)).toMatchObject({ ok: false, retryable: false });
  });
});

describe('Tencent Cloud SMS (TC3-HMAC-SHA256)', () => {
  /** The signature computed independently with node:crypto, following the published algorithm. */
  function expectedAuthorization(secretId: string, secretKey: string, payload: string, timestamp: number) {
    const h = (key: crypto.BinaryLike, data: string) =>
      crypto.createHmac('sha256', key).update(data).digest();
    const sha = (data: string) => crypto.createHash('sha256').update(data).digest('hex');
    const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
    const canonical = `POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:sms.tencentcloudapi.com\nx-tc-action:sendsms\n\ncontent-type;host;x-tc-action\n${sha(payload)}`;
    const toSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/sms/tc3_request\n${sha(canonical)}`;
    const key = h(h(h(`TC3${secretKey}`, date), 'sms'), 'tc3_request');
    const sig = crypto.createHmac('sha256', key).update(toSign).digest('hex');
    return `TC3-HMAC-SHA256 Credential=${secretId}/${date}/sms/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=${sig}`;
  }

  it('signs SendSms and reads the serial number', async () => {
    const { fetch, calls } = recordingFetch(200, {
      Response: {
        SendStatusSet: [{ SerialNo: '2028:abc', Code: 'Ok', Message: 'send success' }],
        RequestId: 'r',
      },
    });
    const sms = createTencentSmsChannel({
      secretId: 'AKIDtest',
      secretKey: 'secret',
      sdkAppId: '1400000000',
      signName: '物业云',
      templateId: '449739',
      fetch,
      now: () => new Date('2026-11-22T08:00:00Z'),
    });
    expect(await sms.send(message)).toEqual({ ok: true, messageId: '2028:abc' });
    const call = calls[0];
    expect(JSON.parse(call.body!)).toMatchObject({
      PhoneNumberSet: ['+8613800000001'],
      TemplateParamSet: ['停水通知', '明天 8:00-12:00 停水'],
      SmsSdkAppId: '1400000000',
    });
    const ts = Date.parse('2026-11-22T08:00:00Z') / 1000;
    expect(call.headers['X-TC-Timestamp']).toBe(String(ts));
    expect(call.headers.Authorization).toBe(expectedAuthorization('AKIDtest', 'secret', call.body!, ts));
  });

  it('maps an API error', async () => {
    const sms = createTencentSmsChannel({
      secretId: 'a',
      secretKey: 'b',
      sdkAppId: 'c',
      signName: 'd',
      templateId: 'e',
      fetch: recordingFetch(200, {
        Response: { Error: { Code: 'LimitExceeded.PhoneNumberDailyLimit', Message: 'x' } },
      }).fetch,
    });
    expect(await sms.send(message)).toMatchObject({ ok: false, retryable: true });
  });
});
