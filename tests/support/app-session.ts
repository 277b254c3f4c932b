import type { TestPlatform } from './platform';

/**
 * Harness for integration tests of the app's auth helpers: a cookie jar that plays the browser
 * (sessions travel only as the cookies @supabase/ssr writes), the app's env for a test
 * platform, and the modules loaded after that env is set (env.server parses it on import).
 */

export type AuthModules = {
  supabase: typeof import('../../app/lib/supabase.server');
  session: typeof import('../../app/modules/auth/session.server');
  flows: typeof import('../../app/modules/auth/auth.server');
  account: typeof import('../../app/modules/auth/account.server');
  errors: typeof import('../../app/modules/auth/auth-errors');
};

export function appEnvFor(platform: TestPlatform): Record<string, string> {
  return {
    SUPABASE_URL: platform.url,
    SUPABASE_ANON_KEY: platform.keys.publishableKey,
    DATABASE_URL: platform.databaseUrl,
    LOG_LEVEL: 'silent',
  };
}

export async function loadAuthModules(): Promise<AuthModules> {
  return {
    supabase: await import('../../app/lib/supabase.server'),
    session: await import('../../app/modules/auth/session.server'),
    flows: await import('../../app/modules/auth/auth.server'),
    account: await import('../../app/modules/auth/account.server'),
    errors: await import('../../app/modules/auth/auth-errors'),
  };
}

/** A browser's cookie jar: applies Set-Cookie headers and sends the cookies back. */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  apply(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = decodeURIComponent(pair.slice(eq + 1));
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || /^expires=thu, 01 jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  request(path: string, init: RequestInit = {}) {
    const cookie = [...this.cookies]
      .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
      .join('; ');
    return new Request(`http://127.0.0.1:3000${path}`, {
      ...init,
      headers: cookie ? { Cookie: cookie } : {},
    });
  }
  /** The session cookies (`sb-<ref>-auth-token`, chunked as `.0`, `.1`…), whatever the ref. */
  authCookieNames() {
    return [...this.cookies.keys()].filter((name) => /^sb-.+-auth-token(\.\d+)?$/.test(name));
  }
}

/** The newest one-time code the platform "sent" to a phone or e-mail (its dev outbox). */
export async function latestOtp(platform: TestPlatform, to: string): Promise<string> {
  const res = await fetch(`${platform.url}/_dev/outbox?to=${encodeURIComponent(to)}&format=json`);
  const { messages } = (await res.json()) as { messages: { otp: string | null }[] };
  if (!messages[0]?.otp) throw new Error(`no code sent to ${to}`);
  return messages[0].otp;
}

/** Signs in with a password in one "request"; returns the jar holding the session cookies. */
export async function signedInJar(
  m: AuthModules,
  account: { phone: string } | { email: string },
  password: string,
) {
  const jar = new CookieJar();
  const auth = m.supabase.createSupabaseServerClient(jar.request('/auth/sign-in', { method: 'POST' }));
  await m.flows.signInWithPassword(auth.supabase, { account, password });
  jar.apply(auth.headers);
  return { jar, headers: auth.headers };
}

export async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
