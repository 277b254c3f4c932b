import { safeRedirect } from '~/lib/safe-redirect';

/** What decides where a person lands after signing in. */
export type LandingFacts = {
  /** `app_metadata.platform_role` from the verified token (server-controlled). */
  platformRole: string | null | undefined;
  /** An active staff membership in an active company. */
  isStaff: boolean;
};

/** Each kind of user's own surface: platform operators the console, staff the back office, others home. */
export function landingPathFor(user: LandingFacts): '/console' | '/office' | '/' {
  if (user.platformRole) return '/console';
  if (user.isStaff) return '/office';
  return '/';
}

/**
 * A `redirectTo` worth returning to: a same-origin path outside the sign-in pages themselves
 * (returning to /auth/sign-in after signing in would loop). Null when there is none.
 */
export function returnPath(redirectTo: unknown): string | null {
  const path = safeRedirect(redirectTo, '');
  if (path === '' || path === '/auth' || path.startsWith('/auth/') || path.startsWith('/auth?')) return null;
  return path;
}

/**
 * Where to go once signed in: the requested page if there is one, else the user's surface;
 * a new account without a name is asked for it first (and then sent on).
 */
export function afterSignInPath(user: LandingFacts & { fullName: string }, redirectTo: unknown): string {
  const destination = returnPath(redirectTo) ?? landingPathFor(user);
  if (user.fullName.trim() === '') {
    return `/auth/welcome?${new URLSearchParams({ redirectTo: destination })}`;
  }
  return destination;
}

/** The sign-in page, remembering the page to come back to. */
export function signInPath(redirectTo?: string | null, extra: Record<string, string> = {}): string {
  const back = returnPath(redirectTo);
  const params = new URLSearchParams({ ...(back && back !== '/' ? { redirectTo: back } : {}), ...extra });
  const query = params.toString();
  return query ? `/auth/sign-in?${query}` : '/auth/sign-in';
}
