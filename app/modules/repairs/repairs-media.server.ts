import type { SupabaseClient } from '@supabase/supabase-js';
import { MEDIA_BUCKET } from './repairs.schema';
import type { MediaDTO } from './repairs.server';

/** How long a signed media URL stays valid: one page visit. */
const SIGNED_URL_SECONDS = 60 * 60;

/**
 * Signed URLs for a ticket's photos and videos, created through Storage as the signed-in user
 * (the request's Supabase client), so the bucket's policies decide again: a URL is only
 * issued for objects the user may read.
 */
export async function signMedia(supabase: SupabaseClient, media: MediaDTO[]): Promise<MediaDTO[]> {
  if (media.length === 0) return media;
  const { data, error } = await supabase.storage.from(MEDIA_BUCKET).createSignedUrls(
    media.map((m) => m.path),
    SIGNED_URL_SECONDS,
  );
  if (error) throw error;
  const byPath = new Map(data.map((d) => [d.path, d.error ? null : d.signedUrl]));
  return media.map((m) => ({ ...m, url: byPath.get(m.path) ?? null }));
}
