import { useNavigation, useRevalidator } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { getSupabaseBrowserClient } from '~/lib/supabase.client';
import { useViewer } from '../use-viewer';

/**
 * Keeps every open tab in step with the session cookie (rendered once, by the root route).
 * The browser client refreshes the token while a tab is open and reports sign-in and sign-out
 * from other tabs (auth-js broadcasts them; a tab coming back into view re-reads the cookie).
 * When the user it reports differs from the one the page was rendered for, the page's loaders
 * run again, and a surface that needs an account redirects to the sign-in page.
 */
export function AuthSessionSync() {
  const userId = useViewer()?.id ?? null;
  const { revalidate } = useRevalidator();
  const navigation = useNavigation();
  // Only an idle page is revalidated: a navigation or submission in flight loads fresh data
  // anyway, and interrupting it would abort its requests.
  const revalidateIfIdle = useRef(() => {});
  revalidateIfIdle.current = () => {
    if (navigation.state === 'idle') revalidate();
  };

  useEffect(() => {
    const supabase = getSupabaseBrowserClient();
    const { data } = supabase.auth.onAuthStateChange((event, session) => {
      if (event !== 'INITIAL_SESSION' && event !== 'SIGNED_IN' && event !== 'SIGNED_OUT') return;
      if ((session?.user.id ?? null) !== userId) revalidateIfIdle.current();
    });
    return () => data.subscription.unsubscribe();
  }, [userId]);

  // Signing out happens in a server action, which auth-js in the browser does not see. When the
  // page goes from signed in to signed out and the cookie holds no session any more, sign the
  // browser client out as well: that only announces SIGNED_OUT to the other tabs.
  const previousUserId = useRef(userId);
  useEffect(() => {
    const wasSignedIn = previousUserId.current !== null;
    previousUserId.current = userId;
    if (!wasSignedIn || userId) return;
    const supabase = getSupabaseBrowserClient();
    void supabase.auth.getSession().then(({ data }) => {
      if (!data.session) return supabase.auth.signOut({ scope: 'local' });
    });
  }, [userId]);

  return null;
}
