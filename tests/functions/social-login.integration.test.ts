import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptAs, rows } from '../rls/support/run-as';
import { nextPhone } from '../rls/support/world';
import { startTestPlatform, type TestPlatform } from '../support/platform';

/**
 * The social-login Edge Function end to end on the local platform: real Deno, real Auth, the
 * WeChat/QQ simulator under /_dev, a fresh database. Each test plays the web app's server
 * (the function's only caller) and the browser (the simulator's sign-in page).
 */

type Provider = 'wechat' | 'qq';
const CALLBACK = (provider: Provider) => `http://127.0.0.1:3000/auth/callback/${provider}`;

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: the function's JSON answers take many shapes; the assertions check them.
type Answer = { status: number; body: any };

async function fn(action: string, body: unknown, token?: string): Promise<Answer> {
  const res = await fetch(`${platform.url}/functions/v1/social-login/${action}`, {
    method: 'POST',
    headers: {
      apikey: platform.keys.publishableKey,
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** The app's first step: a nonce kept by the browser, its hash sent along. */
async function start(provider: Provider, opts: { intent?: 'sign_in' | 'bind'; token?: string } = {}) {
  const nonce = randomBytes(32).toString('base64url');
  const res = await fn(
    'authorize',
    {
      provider,
      redirect_uri: CALLBACK(provider),
      nonce_hash: createHash('sha256').update(nonce).digest('hex'),
      intent: opts.intent ?? 'sign_in',
    },
    opts.token,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { nonce, url: res.body.url as string };
}

/** The person on the provider's page: picks a simulated user (or creates one) and confirms. */
async function approve(url: string, choice: { nickname: string } | { simUserId: number } | 'cancel') {
  const page = await fetch(url);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('本地模拟器');
  const form: Record<string, string> =
    choice === 'cancel'
      ? { cancel: '1' }
      : 'nickname' in choice
        ? { nickname: choice.nickname }
        : { user: String(choice.simUserId) };
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  return { back, code: back.searchParams.get('code'), state: back.searchParams.get('state')! };
}

async function simUserId(provider: Provider, nickname: string): Promise<number> {
  const { rows: found } = await platform.sql.query(
    'select id::int as id from _local_platform.social_sim_users where provider = $1 and nickname = $2',
    [provider, nickname],
  );
  return found[0].id;
}

/** A new provider user all the way to "needs_phone". */
async function newSocialUser(provider: Provider, nickname: string) {
  const flow = await start(provider);
  const { code, state } = await approve(flow.url, { nickname });
  const res = await fn('callback', {
    provider,
    code,
    state,
    nonce: flow.nonce,
    redirect_uri: CALLBACK(provider),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.status).toBe('needs_phone');
  return { ticket: res.body.ticket as string, nonce: flow.nonce, profile: res.body.profile };
}

/** The phone step as the app does it: Auth's own SMS code (from the dev outbox) gives a session. */
async function verifyPhone(phone: string, createUser = true) {
  const client = platform.anonClient();
  const sent = await client.auth.signInWithOtp({
    phone: `+${phone}`,
    options: { shouldCreateUser: createUser },
  });
  expect(sent.error).toBeNull();
  const outbox = await fetch(`${platform.url}/_dev/outbox?to=${phone}&format=json`).then((r) => r.json());
  const { data, error } = await client.auth.verifyOtp({
    phone: `+${phone}`,
    token: outbox.messages[0].otp,
    type: 'sms',
  });
  expect(error).toBeNull();
  return data.session!;
}

async function signInAgain(provider: Provider, nickname: string) {
  const flow = await start(provider);
  const { code, state } = await approve(flow.url, { simUserId: await simUserId(provider, nickname) });
  return fn('callback', { provider, code, state, nonce: flow.nonce, redirect_uri: CALLBACK(provider) });
}

async function identityRows(userId: string) {
  const { rows: found } = await platform.sql.query(
    'select provider::text, openid, unionid, nickname, avatar_url, last_sign_in_at from public.social_identities where user_id = $1 order by provider',
    [userId],
  );
  return found;
}

describe('WeChat sign-in', () => {
  it('a new WeChat user confirms a phone, is linked, and signs in with WeChat next time', async () => {
    const phone = nextPhone();
    const first = await newSocialUser('wechat', '新用户甲');
    expect(first.profile.nickname).toBe('新用户甲');
    expect(first.profile.avatar_url).toMatch(/\/_dev\/wechat\/avatar\/o.+\.svg$/);

    const session = await verifyPhone(phone);
    const linked = await fn('link', { ticket: first.ticket, nonce: first.nonce }, session.access_token);
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    expect(linked.body).toMatchObject({
      status: 'linked',
      identity: { provider: 'wechat', nickname: '新用户甲' },
    });

    const [identity] = await identityRows(session.user.id);
    expect(identity).toMatchObject({ provider: 'wechat', nickname: '新用户甲', last_sign_in_at: null });
    expect(identity.openid).toMatch(/^o[\w-]{27}$/);
    const { data: admin } = await platform.adminClient().auth.admin.getUserById(session.user.id);
    expect(admin.user?.app_metadata).toMatchObject({
      providers: expect.arrayContaining(['phone', 'wechat']),
      social: { wechat: { openid: identity.openid, unionid: identity.unionid } },
    });
    expect(JSON.stringify(admin.user?.user_metadata)).not.toContain(identity.openid);

    // Next time: straight to a session of the same account.
    const again = await signInAgain('wechat', '新用户甲');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.status).toBe('signed_in');
    const next = again.body.session;
    expect(next.user.id).toBe(session.user.id);
    expect(next.user.phone).toBe(phone);
    expect(next.user.email).toBe(`${session.user.id}@users.wuye.invalid`);
    expect(next.user.app_metadata.social.wechat.openid).toBe(identity.openid);
    // A real session: Auth knows the token and refreshes it.
    const client = platform.anonClient();
    await client.auth.setSession({ access_token: next.access_token, refresh_token: next.refresh_token });
    expect((await client.auth.getUser()).data.user?.id).toBe(session.user.id);
    expect((await client.auth.refreshSession()).error).toBeNull();
    expect((await identityRows(session.user.id))[0].last_sign_in_at).not.toBeNull();
  });

  it('links a new WeChat user to the existing account of a phone after the SMS code', async () => {
    const phone = nextPhone();
    const { data: existing } = await platform
      .adminClient()
      .auth.admin.createUser({ phone, phone_confirm: true, password: 'abc12345' });
    const first = await newSocialUser('wechat', '老住户乙');
    const session = await verifyPhone(phone, false);
    expect(session.user.id).toBe(existing.user!.id);
    expect(
      (await fn('link', { ticket: first.ticket, nonce: first.nonce }, session.access_token)).status,
    ).toBe(200);

    const again = await signInAgain('wechat', '老住户乙');
    expect(again.body.session.user.id).toBe(existing.user!.id);
    // The account's password still works: nothing about the account changed but the link.
    const password = await platform.anonClient().auth.signInWithPassword({ phone, password: 'abc12345' });
    expect(password.error).toBeNull();
  });

  it('refuses a second WeChat user for an account that already has one', async () => {
    const phone = nextPhone();
    const a = await newSocialUser('wechat', '丙一');
    const session = await verifyPhone(phone);
    expect((await fn('link', { ticket: a.ticket, nonce: a.nonce }, session.access_token)).status).toBe(200);
    const b = await newSocialUser('wechat', '丙二');
    const second = await fn('link', { ticket: b.ticket, nonce: b.nonce }, session.access_token);
    expect([second.status, second.body.code]).toEqual([409, 'provider_already_linked']);
  });

  it('a bad state or another browser’s nonce is refused, and does not burn the code', async () => {
    const flow = await start('wechat');
    const { code, state } = await approve(flow.url, { nickname: '丁' });
    const base = { provider: 'wechat', code, state, nonce: flow.nonce, redirect_uri: CALLBACK('wechat') };
    const tampered = await fn('callback', { ...base, state: `${state.slice(0, -4)}0000` });
    expect([tampered.status, tampered.body.code]).toEqual([400, 'state_invalid']);
    const otherBrowser = await fn('callback', { ...base, nonce: randomBytes(32).toString('base64url') });
    expect([otherBrowser.status, otherBrowser.body.code]).toEqual([400, 'state_invalid']);
    const otherProvider = await fn('callback', { ...base, provider: 'qq', redirect_uri: CALLBACK('qq') });
    expect(otherProvider.body.code).toBe('state_invalid');
    const foreignCallback = await fn('callback', {
      ...base,
      redirect_uri: 'http://evil.example/auth/callback/wechat',
    });
    expect(foreignCallback.body.code).toBe('redirect_not_allowed');
    // The code was never spent: the right browser still gets through.
    expect((await fn('callback', base)).body.status).toBe('needs_phone');
  });

  it('a replayed code is refused (WeChat errcode 40163)', async () => {
    const flow = await start('wechat');
    const { code, state } = await approve(flow.url, { nickname: '戊' });
    const body = { provider: 'wechat', code, state, nonce: flow.nonce, redirect_uri: CALLBACK('wechat') };
    expect((await fn('callback', body)).status).toBe(200);
    const replay = await fn('callback', body);
    expect([replay.status, replay.body.code]).toEqual([400, 'code_invalid']);
    const made = await fn('callback', { ...body, code: 'not-a-real-code' });
    expect(made.body.code).toBe('code_invalid');
  });

  it('a cancelled sign-in comes back with the state only', async () => {
    const flow = await start('wechat');
    const { back, code, state } = await approve(flow.url, 'cancel');
    expect(code).toBeNull();
    expect(state).toMatch(/^1s[0-9a-f]{96}$/);
    expect(back.origin + back.pathname).toBe(CALLBACK('wechat'));
  });

  it('a ticket works only with its browser’s nonce and a verified phone', async () => {
    const first = await newSocialUser('wechat', '己');
    const session = await verifyPhone(nextPhone());
    const wrongNonce = await fn(
      'link',
      { ticket: first.ticket, nonce: randomBytes(32).toString('base64url') },
      session.access_token,
    );
    expect(wrongNonce.body.code).toBe('ticket_invalid');
    expect((await fn('link', { ticket: first.ticket, nonce: first.nonce })).body.code).toBe(
      'sign_in_required',
    );
    // An e-mail account without a phone cannot take a new WeChat user through this door.
    const email = `ji-${randomBytes(4).toString('hex')}@example.com`;
    await platform.adminClient().auth.admin.createUser({ email, password: 'abc12345', email_confirm: true });
    const { data } = await platform.anonClient().auth.signInWithPassword({ email, password: 'abc12345' });
    const noPhone = await fn(
      'link',
      { ticket: first.ticket, nonce: first.nonce },
      data.session!.access_token,
    );
    expect([noPhone.status, noPhone.body.code]).toEqual([403, 'phone_required']);
  });
});

describe('QQ sign-in', () => {
  it('works like WeChat: new user, phone, then a session', async () => {
    const phone = nextPhone();
    const first = await newSocialUser('qq', 'QQ庚');
    const session = await verifyPhone(phone);
    const linked = await fn('link', { ticket: first.ticket, nonce: first.nonce }, session.access_token);
    expect(linked.body.identity.provider).toBe('qq');
    const [identity] = await identityRows(session.user.id);
    expect(identity.openid).toMatch(/^[0-9A-F]{32}$/);
    expect(identity.unionid).toMatch(/^UID_[0-9A-F]{32}$/);
    const again = await signInAgain('qq', 'QQ庚');
    expect(again.body.status).toBe('signed_in');
    expect(again.body.session.user.id).toBe(session.user.id);
  });

  it('the simulator speaks QQ’s formats: JSONP without fmt=json, error codes with it', async () => {
    const jsonp = await fetch(`${platform.url}/_dev/qq/oauth2.0/me?access_token=nope`).then((r) => r.text());
    expect(jsonp).toBe('callback( {"error":100016,"error_description":"access token check failed"} );\n');
    const wrongSecret = await fetch(
      `${platform.url}/_dev/qq/oauth2.0/token?grant_type=authorization_code&client_id=101000001&client_secret=x&code=c&redirect_uri=x&fmt=json`,
    ).then((r) => r.json());
    expect(wrongSecret).toEqual({ error: 100009, error_description: 'client secret is illegal' });
    const wechat = await fetch(
      `${platform.url}/_dev/wechat/api/sns/oauth2/access_token?appid=wx10ca1de5e0000001&secret=local-simulator-wechat-app-secret&code=nope&grant_type=authorization_code`,
    ).then((r) => r.json());
    expect(wechat).toMatchObject({ errcode: 40029, errmsg: expect.stringMatching(/^invalid code, rid: /) });
  });
});

describe('bind and unbind from the profile', () => {
  it('a signed-in user binds WeChat and QQ, unbinds one, and cannot unbind the last way in', async () => {
    const phone = nextPhone();
    const { data: created } = await platform
      .adminClient()
      .auth.admin.createUser({ phone, phone_confirm: true, password: 'abc12345' });
    const userId = created.user!.id;
    const signIn = async () =>
      (await platform.anonClient().auth.signInWithPassword({ phone, password: 'abc12345' })).data.session!;
    let token = (await signIn()).access_token;

    for (const provider of ['wechat', 'qq'] as const) {
      const flow = await start(provider, { intent: 'bind', token });
      const { code, state } = await approve(flow.url, { nickname: `绑定${provider}` });
      const body = { provider, code, state, nonce: flow.nonce, redirect_uri: CALLBACK(provider) };
      // A bind state is the user's: without their token it goes nowhere.
      expect((await fn('callback', body)).body.code).toBe('sign_in_required');
      const bound = await fn('callback', body, token);
      expect(bound.status, JSON.stringify(bound.body)).toBe(200);
      expect(bound.body).toMatchObject({ status: 'linked', identity: { provider } });
    }
    expect((await identityRows(userId)).map((r) => r.provider)).toEqual(['qq', 'wechat']);

    // Someone else cannot bind the same WeChat user.
    const other = await platform
      .adminClient()
      .auth.admin.createUser({ phone: nextPhone(), phone_confirm: true, password: 'abc12345' });
    const otherToken = (
      await platform
        .anonClient()
        .auth.signInWithPassword({ phone: other.data.user!.phone!, password: 'abc12345' })
    ).data.session!.access_token;
    const taken = await start('wechat', { intent: 'bind', token: otherToken });
    const approved = await approve(taken.url, { simUserId: await simUserId('wechat', '绑定wechat') });
    const refused = await fn(
      'callback',
      { provider: 'wechat', ...approved, nonce: taken.nonce, redirect_uri: CALLBACK('wechat') },
      otherToken,
    );
    expect([refused.status, refused.body.code]).toEqual([409, 'identity_in_use']);

    const unbound = await fn('unlink', { provider: 'qq' }, token);
    expect(unbound.body).toEqual({ status: 'unlinked', provider: 'qq' });
    expect((await fn('unlink', { provider: 'qq' }, token)).body.code).toBe('not_linked');
    const { data: afterUnbind } = await platform.adminClient().auth.admin.getUserById(userId);
    expect(afterUnbind.user?.app_metadata.social).toEqual({ wechat: expect.any(Object) });
    expect(afterUnbind.user?.app_metadata.providers).not.toContain('qq');

    // Take the phone away: WeChat is now the only way in, and stays.
    token = (await signIn()).access_token;
    await platform.sql.query('update auth.users set phone = null, phone_confirmed_at = null where id = $1', [
      userId,
    ]);
    const last = await fn('unlink', { provider: 'wechat' }, token);
    expect([last.status, last.body.code]).toEqual([409, 'last_sign_in_method']);
    expect((await identityRows(userId)).length).toBe(1);
  });

  it('RLS: a user reads only their own identities and cannot write any', async () => {
    const phone = nextPhone();
    const first = await newSocialUser('wechat', 'RLS辛');
    const session = await verifyPhone(phone);
    await fn('link', { ticket: first.ticket, nonce: first.nonce }, session.access_token);
    const mine = { role: 'authenticated' as const, sub: session.user.id };
    const stranger = { role: 'authenticated' as const, sub: '00000000-0000-4000-8000-000000000000' };
    const client = await platform.sql.connect();
    try {
      const count = 'select count(*)::int as n from public.social_identities';
      expect(await attemptAs(client, mine, (tx) => rows(tx, count))).toBe('allow');
      expect(await attemptAs(client, stranger, (tx) => rows(tx, count))).toBe('deny');
      expect(
        await attemptAs(client, mine, (tx) =>
          rows(tx, `update public.social_identities set nickname = 'x' where user_id = $1`, [
            session.user.id,
          ]),
        ),
      ).toBe('deny');
      expect(
        await attemptAs(client, mine, (tx) =>
          rows(tx, `delete from public.social_identities where user_id = $1`, [session.user.id]),
        ),
      ).toBe('deny');
      expect(
        await attemptAs(client, mine, (tx) =>
          rows(
            tx,
            `insert into public.social_identities (user_id, provider, openid) values ($1, 'qq', 'forged')`,
            [session.user.id],
          ),
        ),
      ).toBe('deny');
      expect(await attemptAs(client, { role: 'anon' }, (tx) => rows(tx, count))).toBe('deny');
    } finally {
      client.release();
    }
  });
});
