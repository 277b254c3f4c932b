import { createHash, randomBytes } from 'node:crypto';
import { createCookie } from '@remix-run/node';
import { createClient, FunctionsHttpError, type Session, type SupabaseClient } from '@supabase/supabase-js';
import type { z } from 'zod';
import { env } from '~/lib/env.server';
import { logger } from '~/lib/logger.server';
import type { SupabaseServer } from '~/lib/supabase.server';
import { toAuthFlowError } from '~/modules/auth/auth-errors';
import { returnPath } from '~/modules/auth/landing';
import {
  authorizeResponse,
  callbackResponse,
  type FlowCookie,
  flowCookieSchema,
  functionError,
  linkResponse,
  type SocialIntent,
  type SocialProvider,
  unlinkResponse,
} from './social.schema';
import { SocialFlowError, socialErrorKeys } from './social-errors';

/**
 * WeChat and QQ sign-in, the web app's half (the other half is the `social-login` Edge
 * Function, docs/auth.md "WeChat and QQ"):
 *
 * 1. `beginSocialFlow`: a random nonce goes into an httpOnly cookie of this browser, its hash to
 *    the function, which answers with the provider's sign-in URL (state bound to that hash);
 * 2. `finishSocialCallback`: the provider's `code` and `state` plus the cookie's nonce go to the
 *    function; a known user gets a session (set as @supabase/ssr cookies with `setSession`), a
 *    new one a ticket (kept in the cookie) for the phone step, a bind flow a linked identity;
 * 3. `completeSignUpWithPhone`: Auth's SMS code proves the phone (and finds its account, if
 *    any); the ticket links the WeChat/QQ user to that account, then the session is set.
 *
 * Each function takes the request's `SupabaseServer`; cookies it writes land in `auth.headers`.
 */

const flowCookie = createCookie('__wuye_social', {
  httpOnly: true,
  sameSite: 'lax',
  path: '/',
  // The sign-in, including the phone step (the ticket lasts 15 minutes).
  maxAge: 20 * 60,
});

function isHttps(request: Request): boolean {
  const forwarded = request.headers.get('X-Forwarded-Proto')?.split(',')[0]?.trim();
  return (forwarded ?? new URL(request.url).protocol.replace(':', '')) === 'https';
}

async function readFlow(request: Request): Promise<FlowCookie | null> {
  const raw: unknown = await flowCookie.parse(request.headers.get('Cookie'));
  const parsed = flowCookieSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

async function writeFlow(auth: SupabaseServer, request: Request, flow: FlowCookie): Promise<void> {
  auth.headers.append('Set-Cookie', await flowCookie.serialize(flow, { secure: isHttps(request) }));
}

async function clearFlow(auth: SupabaseServer, request: Request): Promise<void> {
  auth.headers.append('Set-Cookie', await flowCookie.serialize('', { secure: isHttps(request), maxAge: 0 }));
}

/** A client without cookies, for calls whose session must not become this browser's (yet). */
function detachedClient(): SupabaseClient {
  return createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
}

/** Calls `social-login/<action>`; a refusal becomes a `SocialFlowError` with the function's code. */
async function callFunction<S extends z.ZodTypeAny>(
  provider: SocialProvider,
  action: string,
  body: Record<string, unknown>,
  schema: S,
  accessToken?: string,
): Promise<z.infer<S>> {
  const { data, error } = await detachedClient().functions.invoke(`social-login/${action}`, {
    body,
    headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {},
  });
  if (!error) return schema.parse(data);
  if (error instanceof FunctionsHttpError) {
    const res = error.context as Response;
    const parsed = functionError.safeParse(await res.json().catch(() => null));
    const code = parsed.success ? parsed.data.code : 'unexpected';
    const known = Object.hasOwn(socialErrorKeys, code);
    logger[known && res.status < 500 ? 'info' : 'warn'](
      {
        action,
        provider,
        status: res.status,
        code,
        message: parsed.success ? parsed.data.message : undefined,
      },
      'social sign-in refused',
    );
    throw new SocialFlowError(code, provider, res.status >= 500 ? 502 : res.status, { cause: error });
  }
  logger.warn({ action, provider, error: String(error) }, 'social-login function unreachable');
  throw new SocialFlowError('network', provider, 503, { cause: error });
}

/** Where the provider sends the browser back: `/auth/callback/<provider>` on this site. */
function callbackUrlFor(request: Request, provider: SocialProvider): string {
  return new URL(`/auth/callback/${provider}`, new URL(request.url).origin).href;
}

async function currentAccessToken(auth: SupabaseServer, provider: SocialProvider): Promise<string> {
  const { data } = await auth.supabase.auth.getSession();
  if (!data.session) throw new SocialFlowError('sign_in_required', provider, 401);
  return data.session.access_token;
}

/** Makes `session` this browser's: @supabase/ssr writes its cookies into `auth.headers`. */
async function setSession(auth: SupabaseServer, session: Pick<Session, 'access_token' | 'refresh_token'>) {
  const { error } = await auth.supabase.auth.setSession({
    access_token: session.access_token,
    refresh_token: session.refresh_token,
  });
  if (error) throw toAuthFlowError(error);
}

/** Step 1: the provider's sign-in URL to redirect to. `bind` needs a signed-in user. */
export async function beginSocialFlow(
  auth: SupabaseServer,
  request: Request,
  opts: { provider: SocialProvider; intent: SocialIntent; returnTo?: string | null },
): Promise<string> {
  const { provider, intent } = opts;
  const accessToken = intent === 'bind' ? await currentAccessToken(auth, provider) : undefined;
  const nonce = randomBytes(32).toString('base64url');
  const { url } = await callFunction(
    provider,
    'authorize',
    {
      provider,
      redirect_uri: callbackUrlFor(request, provider),
      nonce_hash: createHash('sha256').update(nonce).digest('hex'),
      intent,
    },
    authorizeResponse,
    accessToken,
  );
  await writeFlow(auth, request, { v: 1, provider, intent, nonce, returnTo: returnPath(opts.returnTo) });
  return url;
}

export type CallbackOutcome =
  | { kind: 'signed_in'; returnTo: string | null }
  | { kind: 'needs_phone' }
  | { kind: 'linked'; provider: SocialProvider };

/** Step 2: the provider came back to `/auth/callback/<provider>?code=&state=`. */
export async function finishSocialCallback(
  auth: SupabaseServer,
  request: Request,
  provider: SocialProvider,
  query: { code?: string; state?: string },
): Promise<CallbackOutcome> {
  const flow = await readFlow(request);
  // No cookie: another browser, an expired flow, or a reload after it finished.
  if (!flow || flow.provider !== provider || flow.pending)
    throw new SocialFlowError('flow_missing', provider);
  const { code, state } = query;
  if (!code || !state) {
    await clearFlow(auth, request);
    const cancelled = new SocialFlowError('cancelled', provider);
    cancelled.intent = flow.intent;
    throw cancelled;
  }
  const accessToken = flow.intent === 'bind' ? await currentAccessToken(auth, provider) : undefined;
  let result: z.infer<typeof callbackResponse>;
  try {
    result = await callFunction(
      provider,
      'callback',
      { provider, code, state, nonce: flow.nonce, redirect_uri: callbackUrlFor(request, provider) },
      callbackResponse,
      accessToken,
    );
  } catch (error) {
    await clearFlow(auth, request);
    if (error instanceof SocialFlowError) error.intent = flow.intent;
    throw error;
  }
  switch (result.status) {
    case 'signed_in':
      await setSession(auth, result.session);
      await clearFlow(auth, request);
      return { kind: 'signed_in', returnTo: flow.returnTo };
    case 'needs_phone':
      await writeFlow(auth, request, {
        ...flow,
        pending: {
          ticket: result.ticket,
          expiresAt: result.expires_at,
          nickname: result.profile.nickname,
          avatarUrl: result.profile.avatar_url,
        },
      });
      return { kind: 'needs_phone' };
    case 'linked': {
      await clearFlow(auth, request);
      // Fresh claims in the cookie (app_metadata now lists the provider).
      const { error } = await auth.supabase.auth.refreshSession();
      if (error) throw toAuthFlowError(error);
      return { kind: 'linked', provider };
    }
  }
}

export type PendingSignUp = {
  provider: SocialProvider;
  nickname: string;
  avatarUrl: string | null;
  returnTo: string | null;
};

/** The WeChat/QQ user waiting for a phone in this browser, if the ticket is still good. */
export async function pendingSignUp(request: Request, now = new Date()): Promise<PendingSignUp | null> {
  const flow = await readFlow(request);
  if (!flow?.pending || Date.parse(flow.pending.expiresAt) <= now.getTime()) return null;
  return {
    provider: flow.provider,
    nickname: flow.pending.nickname,
    avatarUrl: flow.pending.avatarUrl,
    returnTo: flow.returnTo,
  };
}

/**
 * Step 3: the SMS code proves the phone and signs in to its account (created now when the
 * number is new); the ticket links the WeChat/QQ user to that account; then the session
 * becomes this browser's. Nothing is kept when the link is refused.
 */
export async function completeSignUpWithPhone(
  auth: SupabaseServer,
  request: Request,
  { phone, code }: { phone: string; code: string },
): Promise<{ returnTo: string | null }> {
  const flow = await readFlow(request);
  if (!flow?.pending) throw new SocialFlowError('flow_missing', flow?.provider ?? 'wechat');
  const client = detachedClient();
  const { data, error } = await client.auth.verifyOtp({ phone, token: code, type: 'sms' });
  if (error) throw toAuthFlowError(error);
  if (!data.session) throw new Error('verifyOtp answered without a session');
  try {
    await callFunction(
      flow.provider,
      'link',
      { ticket: flow.pending.ticket, nonce: flow.nonce },
      linkResponse,
      data.session.access_token,
    );
  } catch (linkError) {
    // The code was right, but this account cannot take this WeChat/QQ user: end that session.
    await client.auth.signOut({ scope: 'local' });
    if (linkError instanceof SocialFlowError && /^ticket_/.test(linkError.code))
      await clearFlow(auth, request);
    throw linkError;
  }
  // The access token predates the link; a fresh one carries the new app_metadata.
  const { data: refreshed } = await client.auth.refreshSession();
  await setSession(auth, refreshed.session ?? data.session);
  await clearFlow(auth, request);
  return { returnTo: flow.returnTo };
}

/** Gives up a pending sign-up (the "cancel" button). */
export async function abandonSocialFlow(auth: SupabaseServer, request: Request): Promise<void> {
  await clearFlow(auth, request);
}

/** Unlinks WeChat/QQ from the signed-in account; the function refuses the last way in. */
export async function unbindProvider(auth: SupabaseServer, provider: SocialProvider): Promise<void> {
  await callFunction(
    provider,
    'unlink',
    { provider },
    unlinkResponse,
    await currentAccessToken(auth, provider),
  );
  // Fresh claims in the cookie (app_metadata no longer lists the provider).
  const { error } = await auth.supabase.auth.refreshSession();
  if (error) throw toAuthFlowError(error);
}
