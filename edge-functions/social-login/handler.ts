/**
 * `social-login`: WeChat and QQ sign-in for Supabase Auth (docs/auth.md "WeChat and QQ").
 * The web app's server calls it; every route is `POST /social-login/<action>` with JSON:
 *
 * - `authorize` `{provider, redirect_uri, nonce_hash, intent}` → `{url, expires_at}`: where to
 *   send the browser, with a signed state. `intent: "bind"` needs the user's bearer token.
 * - `callback` `{provider, code, state, nonce, redirect_uri}` → one of
 *   `{status: "signed_in", session}` (a known WeChat/QQ user: a Supabase session),
 *   `{status: "needs_phone", ticket, expires_at, profile}` (a new one: confirm a phone first),
 *   `{status: "linked", identity}` (a bind flow; bearer token of the same user required).
 * - `link` `{ticket, nonce}` + bearer token of the account whose phone was just verified →
 *   `{status: "linked", identity}`.
 * - `unlink` `{provider}` + bearer token → `{status: "unlinked"}`; refused for the last way in.
 *
 * Errors are `{code, message}` (codes listed in docs/auth.md).
 */
import { withCors } from '@shared/cors.ts';
import { type Handler, HttpError, handleErrors, json, readJson } from '@shared/http.ts';
import {
  type SocialProfile,
  type SocialProvider,
  SocialProviderError,
  type SocialProviderId,
  socialProviderIds,
} from '@shared/social/provider.ts';
import {
  hashNonce,
  StateError,
  signState,
  signTicket,
  stateIntent,
  TicketError,
  verifyState,
  verifyTicket,
} from '@shared/social/state.ts';
import { z } from 'zod';

/** The account as the flows need it (from Auth, for a verified bearer token). */
export type AuthUser = {
  id: string;
  phone: string | null;
  phoneConfirmed: boolean;
  email: string | null;
  emailConfirmed: boolean;
};

/** A linked identity as the app shows it (no provider ids). */
export type LinkedIdentity = {
  provider: SocialProviderId;
  nickname: string;
  avatar_url: string | null;
  linked_at: string;
};

/** A Supabase Auth session, as `/auth/v1/verify` answers it. */
export type AuthSession = {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  expires_at?: number;
  token_type: string;
  user: unknown;
};

/** Accounts and sessions: Supabase Auth's admin API plus the `social_identities` table. */
export interface Accounts {
  /** The user of a bearer token; `sign_in_required` when it is not a live user session. */
  userFromToken(token: string): Promise<AuthUser>;
  /** The account a WeChat/QQ user is linked to (refreshing nickname and avatar), or null. */
  findLinkedUser(provider: SocialProviderId, profile: SocialProfile): Promise<string | null>;
  link(user: AuthUser, provider: SocialProviderId, profile: SocialProfile): Promise<LinkedIdentity>;
  unlink(user: AuthUser, provider: SocialProviderId): Promise<void>;
  /** A new session for the account, through Auth's standard endpoints. */
  openSession(userId: string): Promise<AuthSession>;
}

export type SocialLoginDeps = {
  providers: Partial<Record<SocialProviderId, SocialProvider>>;
  /** HMAC key for states and tickets (`importSigningKey`). */
  key: CryptoKey;
  isAllowedRedirect: (uri: string) => boolean;
  accounts: Accounts;
  now: () => Date;
};

const provider = z.enum(socialProviderIds);
const redirectUri = z.string().min(1).max(2048);
const nonce = z.string().regex(/^[A-Za-z0-9_-]{43,128}$/, 'must be 43–128 base64url characters');

const authorizeBody = z.object({
  provider,
  redirect_uri: redirectUri,
  nonce_hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be hex(sha256(nonce))'),
  intent: z.enum(['sign_in', 'bind']).default('sign_in'),
});
const callbackBody = z.object({
  provider,
  code: z.string().min(1).max(512),
  state: z.string().min(1).max(256),
  nonce,
  redirect_uri: redirectUri,
});
const linkBody = z.object({ ticket: z.string().min(1).max(4096), nonce });
const unlinkBody = z.object({ provider });

const stateMessages = {
  state_invalid: 'The sign-in state is not valid for this browser.',
  state_expired: 'The sign-in took too long; start again.',
} as const;
const ticketMessages = {
  ticket_invalid: 'The sign-up ticket is not valid for this browser.',
  ticket_expired: 'The sign-up took too long; sign in with WeChat or QQ again.',
} as const;

function bearer(req: Request): string | null {
  return /^Bearer\s+(\S+)$/i.exec(req.headers.get('authorization') ?? '')?.[1] ?? null;
}

export function createSocialLoginHandler(deps: SocialLoginDeps): Handler {
  const providerFor = (id: SocialProviderId): SocialProvider => {
    const found = deps.providers[id];
    if (!found) throw new HttpError(404, 'provider_disabled', `Sign-in with ${id} is not enabled.`);
    return found;
  };

  const requireUser = async (req: Request): Promise<AuthUser> => {
    const token = bearer(req);
    if (!token) throw new HttpError(401, 'sign_in_required', 'This needs the user\u2019s access token.');
    return deps.accounts.userFromToken(token);
  };

  const checkRedirect = (uri: string) => {
    if (!deps.isAllowedRedirect(uri)) {
      throw new HttpError(400, 'redirect_not_allowed', 'The callback URL is not on the allow list.');
    }
  };

  const exchange = async (p: SocialProvider, code: string, uri: string): Promise<SocialProfile> => {
    try {
      return await p.exchangeCode(code, { redirectUri: uri });
    } catch (err) {
      if (!(err instanceof SocialProviderError)) throw err;
      switch (err.failure) {
        case 'invalid_code':
          console.info(`[social-login] ${p.id} refused the code: ${err.message}`);
          throw new HttpError(400, 'code_invalid', 'The authorization code is invalid, expired or used.');
        case 'misconfigured':
          console.error(`[social-login] ${p.id} refused our app settings: ${err.message}`);
          throw new HttpError(502, 'provider_misconfigured', `${p.id} sign-in is misconfigured.`);
        default:
          console.warn(`[social-login] ${p.id} failed: ${err.failure} ${err.message}`);
          throw new HttpError(502, 'provider_unavailable', `${p.id} did not answer as expected; try again.`);
      }
    }
  };

  async function authorize(req: Request): Promise<Response> {
    const body = await readJson(req, authorizeBody);
    const p = providerFor(body.provider);
    checkRedirect(body.redirect_uri);
    const user = body.intent === 'bind' ? await requireUser(req) : undefined;
    const { state, expiresAt } = await signState(
      deps.key,
      body.intent,
      { provider: p.id, redirectUri: body.redirect_uri, nonceHash: body.nonce_hash, userId: user?.id },
      deps.now(),
    );
    return json({ url: p.authorizeUrl(state, body.redirect_uri), expires_at: expiresAt.toISOString() });
  }

  async function callback(req: Request): Promise<Response> {
    const body = await readJson(req, callbackBody);
    const p = providerFor(body.provider);
    checkRedirect(body.redirect_uri);
    const claimed = stateIntent(body.state);
    if (!claimed) throw new HttpError(400, 'state_invalid', stateMessages.state_invalid);
    // A bind state is bound to a user: only that user's token can complete it.
    const user = claimed === 'bind' ? await requireUser(req) : undefined;
    const nonceHash = await hashNonce(body.nonce);
    try {
      await verifyState(
        deps.key,
        body.state,
        { provider: p.id, redirectUri: body.redirect_uri, nonceHash, userId: user?.id },
        deps.now(),
      );
    } catch (err) {
      if (err instanceof StateError) throw new HttpError(400, err.problem, stateMessages[err.problem]);
      throw err;
    }
    // Only now spend the code: a forged or foreign state never reaches the provider.
    const profile = await exchange(p, body.code, body.redirect_uri);

    if (user) {
      const identity = await deps.accounts.link(user, p.id, profile);
      return json({ status: 'linked', provider: p.id, identity });
    }
    const userId = await deps.accounts.findLinkedUser(p.id, profile);
    if (userId) {
      const session = await deps.accounts.openSession(userId);
      return json({ status: 'signed_in', provider: p.id, session });
    }
    const { ticket, expiresAt } = await signTicket(
      deps.key,
      { provider: p.id, profile, nonceHash },
      deps.now(),
    );
    return json({
      status: 'needs_phone',
      provider: p.id,
      ticket,
      expires_at: expiresAt.toISOString(),
      profile: { nickname: profile.nickname, avatar_url: profile.avatar ?? null },
    });
  }

  async function link(req: Request): Promise<Response> {
    const body = await readJson(req, linkBody);
    const user = await requireUser(req);
    let ticket: Awaited<ReturnType<typeof verifyTicket>>;
    try {
      ticket = await verifyTicket(deps.key, body.ticket, await hashNonce(body.nonce), deps.now());
    } catch (err) {
      if (err instanceof TicketError) throw new HttpError(400, err.problem, ticketMessages[err.problem]);
      throw err;
    }
    providerFor(ticket.provider);
    // The phone is how a new WeChat/QQ user proves who they are (and finds an existing account).
    if (!user.phone || !user.phoneConfirmed) {
      throw new HttpError(403, 'phone_required', 'Verify a phone number before linking.');
    }
    const identity = await deps.accounts.link(user, ticket.provider, ticket.profile);
    return json({ status: 'linked', provider: ticket.provider, identity });
  }

  async function unlink(req: Request): Promise<Response> {
    const body = await readJson(req, unlinkBody);
    const user = await requireUser(req);
    await deps.accounts.unlink(user, body.provider);
    return json({ status: 'unlinked', provider: body.provider });
  }

  const routes: Record<string, (req: Request) => Promise<Response>> = { authorize, callback, link, unlink };

  return withCors(
    handleErrors(async (req) => {
      const action = /\/social-login\/([a-z]+)\/?$/.exec(new URL(req.url).pathname)?.[1];
      const route = action && Object.hasOwn(routes, action) ? routes[action] : undefined;
      if (!route) throw new HttpError(404, 'not_found', 'No such social-login action.');
      if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST.');
      return route(req);
    }),
  );
}
