import { createBrowserClient } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';
import { getPublicEnv } from '~/lib/public-env';

/**
 * The browser's Supabase client (a singleton, reading and writing the same cookies as the
 * server). It keeps the session fresh while a tab is open and tells other tabs about sign-in
 * and sign-out; signing in and out themselves happen in server actions.
 */
export function getSupabaseBrowserClient(): SupabaseClient {
  const { SUPABASE_URL, SUPABASE_ANON_KEY } = getPublicEnv();
  return createBrowserClient(SUPABASE_URL, SUPABASE_ANON_KEY, {
    cookieOptions: { secure: window.location.protocol === 'https:' },
    // Auth callbacks (`?code=`) are exchanged by the /auth/callback loader, never in the browser.
    auth: { detectSessionInUrl: false },
  });
}
