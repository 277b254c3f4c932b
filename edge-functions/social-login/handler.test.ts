import { HttpError } from '@shared/http.ts';
import {
  type SocialProfile,
  type SocialProvider,
  SocialProviderError,
  type SocialProviderId,
} from '@shared/social/provider.ts';
import { hashNonce, importSigningKey } from '@shared/social/state.ts';
import { assertEquals } from '../_testing/assert.ts';
import { fakeJwt } from '../_testing/jwt.ts';
import { type Accounts, type AuthUser, createSocialLoginHandler, type LinkedIdentity } from './handler.ts';
import { countSignInMethods, isSyntheticEmail, syntheticEmail } from './methods.ts';

const NOW = new Date('2026-11-22T08:00:00Z');
const CALLBACK = 'http://127.0.0.1:3000/auth/callback/wechat';
const nonce = 'N'.repeat(43);
const alice: AuthUser = {
  id: '11111111-1111-4111-8111-111111111111',
  phone: '8613800000001',
  phoneConfirmed: true,
  email: null,
  emailConfirmed: false,
};
const wechatUser: SocialProfile = { openid: 'oWx1', unionid: 'uWx1', nickname: '微信张三' };

/** A provider whose codes are `code-<n>`, each usable once. */
function fakeProvider(id: SocialProviderId): SocialProvider & { exchanged: string[] } {
  const exchanged: string[] = [];
  return {
    id,
    exchanged,
    authorizeUrl: (state, redirectUri) =>
      `https://${id}.example/authorize?${new URLSearchParams({ state, redirect_uri: redirectUri })}`,
    exchangeCode(code) {
      if (!code.startsWith('code-'))
        return Promise.reject(new SocialProviderError(id, 'invalid_code', 40029, 'invalid code'));
      if (exchanged.includes(code))
        return Promise.reject(new SocialProviderError(id, 'invalid_code', 40163, 'code been used'));
      if (code === 'code-broken')
        return Promise.reject(new SocialProviderError(id, 'misconfigured', 40125, 'invalid appsecret'));
      exchanged.push(code);
      return Promise.resolve(wechatUser);
    },
  };
}

/** In-memory accounts: tokens are `token:<user id>`. */
function fakeAccounts(users: AuthUser[]) {
  const links: { userId: string; provider: SocialProviderId; profile: SocialProfile }[] = [];
  const sessions: string[] = [];
  const accounts: Accounts = {
    userFromToken(token) {
      const user = users.find((u) => `token:${u.id}` === token);
      if (!user) return Promise.reject(new HttpError(401, 'sign_in_required', 'no'));
      return Promise.resolve(user);
    },
    findLinkedUser(provider, profile) {
      return Promise.resolve(
        links.find((l) => l.provider === provider && l.profile.openid === profile.openid)?.userId ?? null,
      );
    },
    link(user, provider, profile) {
      if (
        links.some(
          (l) => l.provider === provider && l.profile.openid === profile.openid && l.userId !== user.id,
        )
      ) {
        return Promise.reject(new HttpError(409, 'identity_in_use', 'taken'));
      }
      links.push({ userId: user.id, provider, profile });
      const identity: LinkedIdentity = {
        provider,
        nickname: profile.nickname,
        avatar_url: null,
        linked_at: NOW.toISOString(),
      };
      return Promise.resolve(identity);
    },
    unlink() {
      return Promise.resolve();
    },
    openSession(userId) {
      sessions.push(userId);
      return Promise.resolve({
        access_token: `at-${userId}`,
        refresh_token: 'rt',
        expires_in: 3600,
        token_type: 'bearer',
        user: { id: userId },
      });
    },
  };
  return { accounts, links, sessions };
}

async function setup(users: AuthUser[] = [alice]) {
  const wechat = fakeProvider('wechat');
  const store = fakeAccounts(users);
  const handler = createSocialLoginHandler({
    providers: { wechat },
    key: await importSigningKey('k'.repeat(40)),
    isAllowedRedirect: (uri) => uri.startsWith('http://127.0.0.1:3000/auth/callback/'),
    accounts: store.accounts,
    now: () => NOW,
  });
  const call = async (action: string, body: unknown, token?: string) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    // The local gateway turns a publishable key into the anon JWT; hosted sends none.
    headers.Authorization = `Bearer ${token ?? fakeJwt({ role: 'anon' })}`;
    const res = await handler(
      new Request(`http://local/social-login/${action}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      }),
    );
    return { status: res.status, body: await res.json() };
  };
  const authorize = async (intent: 'sign_in' | 'bind' = 'sign_in', token?: string) => {
    const res = await call(
      'authorize',
      { provider: 'wechat', redirect_uri: CALLBACK, nonce_hash: await hashNonce(nonce), intent },
      token,
    );
    assertEquals(res.status, 200, JSON.stringify(res.body));
    return new URL(res.body.url).searchParams.get('state')!;
  };
  return { wechat, store, call, authorize };
}

Deno.test('authorize: a provider URL with a signed state; unknown providers and callbacks are refused', async () => {
  const { call } = await setup();
  const nonceHash = await hashNonce(nonce);
  const ok = await call('authorize', { provider: 'wechat', redirect_uri: CALLBACK, nonce_hash: nonceHash });
  assertEquals(ok.status, 200);
  assertEquals(new URL(ok.body.url).searchParams.get('redirect_uri'), CALLBACK);
  assertEquals(ok.body.expires_at, '2026-11-22T08:10:00.000Z');
  assertEquals(
    (await call('authorize', { provider: 'qq', redirect_uri: CALLBACK, nonce_hash: nonceHash })).body.code,
    'provider_disabled',
  );
  const foreign = await call('authorize', {
    provider: 'wechat',
    redirect_uri: 'https://evil.example/auth/callback/wechat',
    nonce_hash: nonceHash,
  });
  assertEquals([foreign.status, foreign.body.code], [400, 'redirect_not_allowed']);
  const bad = await call('authorize', { provider: 'wechat', redirect_uri: CALLBACK, nonce_hash: 'nope' });
  assertEquals([bad.status, bad.body.code], [400, 'invalid_request']);
  const bindAnon = await call('authorize', {
    provider: 'wechat',
    redirect_uri: CALLBACK,
    nonce_hash: nonceHash,
    intent: 'bind',
  });
  assertEquals([bindAnon.status, bindAnon.body.code], [401, 'sign_in_required']);
});

Deno.test('callback: a new WeChat user gets a ticket; after linking, the next sign-in gets a session', async () => {
  const { call, authorize, store } = await setup();
  const first = await call('callback', {
    provider: 'wechat',
    code: 'code-1',
    state: await authorize(),
    nonce,
    redirect_uri: CALLBACK,
  });
  assertEquals(first.status, 200);
  assertEquals(first.body.status, 'needs_phone');
  assertEquals(first.body.profile, { nickname: '微信张三', avatar_url: null });

  // The browser proved the phone (Auth's SMS code) and links with the ticket.
  const linked = await call('link', { ticket: first.body.ticket, nonce }, `token:${alice.id}`);
  assertEquals([linked.status, linked.body.status, linked.body.identity.provider], [200, 'linked', 'wechat']);
  assertEquals(store.links.length, 1);

  const again = await call('callback', {
    provider: 'wechat',
    code: 'code-2',
    state: await authorize(),
    nonce,
    redirect_uri: CALLBACK,
  });
  assertEquals([again.body.status, again.body.session.access_token], ['signed_in', `at-${alice.id}`]);
});

Deno.test('callback: a bad, foreign or expired state never reaches the provider', async () => {
  const { call, authorize, wechat } = await setup();
  const state = await authorize();
  const attempt = (overrides: Record<string, unknown>) =>
    call('callback', {
      provider: 'wechat',
      code: 'code-9',
      state,
      nonce,
      redirect_uri: CALLBACK,
      ...overrides,
    });
  assertEquals((await attempt({ nonce: 'M'.repeat(43) })).body.code, 'state_invalid');
  assertEquals((await attempt({ state: `${state.slice(0, -1)}0` })).body.code, 'state_invalid');
  assertEquals((await attempt({ state: 'hello' })).body.code, 'state_invalid');
  assertEquals(
    (await attempt({ redirect_uri: 'http://127.0.0.1:3000/auth/callback/other' })).body.code,
    'state_invalid',
  );
  assertEquals(wechat.exchanged, []);
});

Deno.test('callback: a replayed code is refused by the provider and reported as code_invalid', async () => {
  const { call, authorize } = await setup();
  const body = {
    provider: 'wechat',
    code: 'code-1',
    state: await authorize(),
    nonce,
    redirect_uri: CALLBACK,
  };
  assertEquals((await call('callback', body)).status, 200);
  const replay = await call('callback', body);
  assertEquals([replay.status, replay.body.code], [400, 'code_invalid']);
});

Deno.test('callback: provider misconfiguration is a logged 502', async () => {
  const { call, authorize } = await setup();
  const original = console.error;
  const logged: unknown[] = [];
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    const res = await call('callback', {
      provider: 'wechat',
      code: 'code-broken',
      state: await authorize(),
      nonce,
      redirect_uri: CALLBACK,
    });
    assertEquals([res.status, res.body.code], [502, 'provider_misconfigured']);
    assertEquals(logged.length, 1);
  } finally {
    console.error = original;
  }
});

Deno.test('bind: the state belongs to the user who started it', async () => {
  const bob: AuthUser = { ...alice, id: '22222222-2222-4222-8222-222222222222', phone: '8613800000002' };
  const { call, authorize, store } = await setup([alice, bob]);
  const state = await authorize('bind', `token:${alice.id}`);
  const body = { provider: 'wechat', code: 'code-5', state, nonce, redirect_uri: CALLBACK };
  assertEquals((await call('callback', body)).body.code, 'sign_in_required');
  assertEquals((await call('callback', body, `token:${bob.id}`)).body.code, 'state_invalid');
  const ok = await call('callback', body, `token:${alice.id}`);
  assertEquals([ok.status, ok.body.status], [200, 'linked']);
  assertEquals(
    store.links.map((l) => l.userId),
    [alice.id],
  );
});

Deno.test('link: needs the same browser’s nonce and a verified phone', async () => {
  const noPhone: AuthUser = {
    ...alice,
    id: '33333333-3333-4333-8333-333333333333',
    phone: null,
    phoneConfirmed: false,
  };
  const { call, authorize } = await setup([alice, noPhone]);
  const first = await call('callback', {
    provider: 'wechat',
    code: 'code-1',
    state: await authorize(),
    nonce,
    redirect_uri: CALLBACK,
  });
  const ticket = first.body.ticket;
  assertEquals(
    (await call('link', { ticket, nonce: 'M'.repeat(43) }, `token:${alice.id}`)).body.code,
    'ticket_invalid',
  );
  assertEquals((await call('link', { ticket, nonce })).body.code, 'sign_in_required');
  assertEquals((await call('link', { ticket, nonce }, `token:${noPhone.id}`)).body.code, 'phone_required');
});

Deno.test('routing: unknown actions are 404, other methods 405', async () => {
  const { wechat } = await setup();
  const handler = createSocialLoginHandler({
    providers: { wechat },
    key: await importSigningKey('k'.repeat(40)),
    isAllowedRedirect: () => true,
    accounts: fakeAccounts([]).accounts,
    now: () => NOW,
  });
  for (const path of ['/social-login/constructor', '/social-login/nope', '/social-login']) {
    const res = await handler(new Request(`http://local${path}`, { method: 'POST', body: '{}' }));
    assertEquals(res.status, 404, path);
    await res.body?.cancel();
  }
  const get = await handler(new Request('http://local/social-login/authorize'));
  assertEquals(get.status, 405);
  await get.body?.cancel();
});

Deno.test('methods: the last way in is counted without the internal e-mail', () => {
  const phoneOnly = {
    phone: '8613800000001',
    phoneConfirmed: true,
    email: syntheticEmail(alice.id),
    emailConfirmed: true,
  };
  assertEquals(isSyntheticEmail(phoneOnly.email), true);
  assertEquals(countSignInMethods(phoneOnly, []), 1);
  assertEquals(countSignInMethods({ ...phoneOnly, phoneConfirmed: false }, ['wechat']), 1);
  assertEquals(countSignInMethods({ ...phoneOnly, phone: null }, []), 0);
  assertEquals(countSignInMethods({ ...phoneOnly, email: 'a@example.com' }, ['wechat', 'qq']), 4);
  assertEquals(
    countSignInMethods(
      { phone: null, phoneConfirmed: false, email: 'a@example.com', emailConfirmed: false },
      [],
    ),
    0,
  );
});
