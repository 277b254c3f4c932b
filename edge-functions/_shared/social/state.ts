/**
 * The two signed values of a social sign-in, both HMAC-SHA-256 with the function's key:
 *
 * - **state** (the OAuth `state` sent through WeChat/QQ and back): at most 128 characters of
 *   `[0-9a-z]` (WeChat's limit), carrying the intent and expiry and a MAC over them plus the
 *   provider, the callback URL, the user binding (for "bind to my account") and the hash of a
 *   nonce that only the browser which started the flow holds (an httpOnly cookie of the app):
 *   PKCE's idea, so a code and state lifted from one browser are useless in another (login CSRF).
 * - **ticket** (handed to the app when a new WeChat/QQ user must confirm a phone first): the
 *   provider's user, the same nonce hash and an expiry, so the app can finish the sign-up
 *   later without a second trip to the provider.
 *
 * Both are checked with `crypto.subtle.verify` (constant time).
 */
import type { SocialProfile, SocialProviderId } from './provider.ts';

export type SocialIntent = 'sign_in' | 'bind';

export const STATE_TTL_SECONDS = 600;
export const TICKET_TTL_SECONDS = 900;

const encoder = new TextEncoder();

function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^(?:[0-9a-f]{2})+$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  try {
    return Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** The HMAC key from a secret of at least 32 characters (SOCIAL_LOGIN_SECRET or the project's secret key). */
export async function importSigningKey(secret: string): Promise<CryptoKey> {
  // Derive rather than use the secret directly, so this key is useless for anything else.
  const base = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const derived = await crypto.subtle.sign('HMAC', base, encoder.encode('wuye social-login signing key v1'));
  return crypto.subtle.importKey('raw', derived, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}

/** `hex(sha256(nonce))`: what the app sends when the flow starts (it keeps the nonce itself). */
export async function hashNonce(nonce: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', encoder.encode(nonce)));
}

/** What a state is bound to, besides its own intent and expiry. */
export type StateBinding = {
  provider: SocialProviderId;
  redirectUri: string;
  nonceHash: string;
  /** The signed-in user a `bind` flow belongs to; absent for `sign_in`. */
  userId?: string;
};

const INTENT_CODES: Record<SocialIntent, string> = { sign_in: 's', bind: 'b' };

function stateInput(
  version: string,
  intent: string,
  exp: string,
  rand: string,
  b: StateBinding,
): Uint8Array<ArrayBuffer> {
  return encoder.encode(
    ['state', version, intent, exp, rand, b.provider, b.redirectUri, b.nonceHash, b.userId ?? ''].join('\n'),
  );
}

/** `1` + intent (`s`/`b`) + expiry (8 hex, unix seconds) + 24 hex random + 64 hex MAC = 98 characters. */
export async function signState(
  key: CryptoKey,
  intent: SocialIntent,
  binding: StateBinding,
  now: Date,
  ttlSeconds = STATE_TTL_SECONDS,
): Promise<{ state: string; expiresAt: Date }> {
  const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + ttlSeconds * 1000);
  const exp = Math.floor(expiresAt.getTime() / 1000)
    .toString(16)
    .padStart(8, '0');
  const rand = toHex(crypto.getRandomValues(new Uint8Array(12)));
  const code = INTENT_CODES[intent];
  const mac = toHex(await crypto.subtle.sign('HMAC', key, stateInput('1', code, exp, rand, binding)));
  return { state: `1${code}${exp}${rand}${mac}`, expiresAt };
}

export type StateProblem = 'state_invalid' | 'state_expired';

export class StateError extends Error {
  constructor(readonly problem: StateProblem) {
    super(problem);
    this.name = 'StateError';
  }
}

const STATE_FORMAT = /^1([sb])([0-9a-f]{8})([0-9a-f]{24})([0-9a-f]{64})$/;

/** The intent a state claims, before its MAC is checked (a bind state needs the caller's user id to check). */
export function stateIntent(state: string): SocialIntent | null {
  const match = STATE_FORMAT.exec(state);
  if (!match) return null;
  return match[1] === 'b' ? 'bind' : 'sign_in';
}

/** Checks a state against what it must be bound to; returns its intent. */
export async function verifyState(
  key: CryptoKey,
  state: string,
  binding: StateBinding,
  now: Date,
): Promise<SocialIntent> {
  const match = STATE_FORMAT.exec(state);
  if (!match) throw new StateError('state_invalid');
  const [, code, exp, rand, macHex] = match;
  const mac = fromHex(macHex);
  if (!mac) throw new StateError('state_invalid');
  const ok = await crypto.subtle.verify('HMAC', key, mac, stateInput('1', code, exp, rand, binding));
  if (!ok) throw new StateError('state_invalid');
  if (Number.parseInt(exp, 16) * 1000 < now.getTime()) throw new StateError('state_expired');
  return code === 'b' ? 'bind' : 'sign_in';
}

// ---------------------------------------------------------------------------------------------
// Tickets
// ---------------------------------------------------------------------------------------------

export type TicketPayload = { provider: SocialProviderId; profile: SocialProfile; nonceHash: string };

type TicketBody = {
  v: 1;
  p: SocialProviderId;
  o: string;
  u?: string;
  n: string;
  a?: string;
  h: string;
  exp: number;
};

export async function signTicket(
  key: CryptoKey,
  payload: TicketPayload,
  now: Date,
  ttlSeconds = TICKET_TTL_SECONDS,
): Promise<{ ticket: string; expiresAt: Date }> {
  const exp = Math.floor(now.getTime() / 1000) + ttlSeconds;
  const body: TicketBody = {
    v: 1,
    p: payload.provider,
    o: payload.profile.openid,
    ...(payload.profile.unionid ? { u: payload.profile.unionid } : {}),
    n: payload.profile.nickname,
    ...(payload.profile.avatar ? { a: payload.profile.avatar } : {}),
    h: payload.nonceHash,
    exp,
  };
  const encoded = toBase64Url(encoder.encode(JSON.stringify(body)));
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(`ticket\n${encoded}`)));
  return { ticket: `${encoded}.${toBase64Url(mac)}`, expiresAt: new Date(exp * 1000) };
}

export type TicketProblem = 'ticket_invalid' | 'ticket_expired';

export class TicketError extends Error {
  constructor(readonly problem: TicketProblem) {
    super(problem);
    this.name = 'TicketError';
  }
}

/** The provider's user from a ticket, if its MAC, nonce and expiry check out. */
export async function verifyTicket(
  key: CryptoKey,
  ticket: string,
  nonceHash: string,
  now: Date,
): Promise<{ provider: SocialProviderId; profile: SocialProfile }> {
  const [encoded, macText, extra] = ticket.split('.');
  const mac = macText === undefined ? null : fromBase64Url(macText);
  if (!encoded || !mac || extra !== undefined) throw new TicketError('ticket_invalid');
  const ok = await crypto.subtle.verify('HMAC', key, mac, encoder.encode(`ticket\n${encoded}`));
  if (!ok) throw new TicketError('ticket_invalid');
  const bytes = fromBase64Url(encoded);
  let body: TicketBody;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes ?? new Uint8Array()));
  } catch {
    throw new TicketError('ticket_invalid');
  }
  if (body.v !== 1 || body.h !== nonceHash) throw new TicketError('ticket_invalid');
  if (body.exp * 1000 < now.getTime()) throw new TicketError('ticket_expired');
  return {
    provider: body.p,
    profile: {
      openid: body.o,
      ...(body.u ? { unionid: body.u } : {}),
      nickname: body.n,
      ...(body.a ? { avatar: body.a } : {}),
    },
  };
}
