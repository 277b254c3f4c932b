import type { SupabaseClient } from '@supabase/supabase-js';
import type { Tx } from '~/lib/db.server';
import { uploadImage } from './binding.server';
import { AVATAR_MAX_BYTES } from './profile.schema';
import { guarded, TenancyError } from './tenancy-errors';

/** The signed-in person's own profile (profiles: only the owner edits, only these columns). */

export const AVATAR_BUCKET = 'avatars';

export type MyProfile = {
  fullName: string;
  phone: string | null;
  avatarPath: string | null;
  avatarUrl: string | null;
  emergencyName: string | null;
  emergencyPhone: string | null;
};

export async function getMyProfile(tx: Tx): Promise<MyProfile> {
  const { rows } = await tx.query<{
    full_name: string;
    phone: string | null;
    avatar_path: string | null;
    emergency_contact_name: string | null;
    emergency_contact_phone: string | null;
  }>(
    `select full_name, phone, avatar_path, emergency_contact_name, emergency_contact_phone
     from public.profiles where id = (select auth.uid())`,
  );
  const r = rows[0];
  if (!r) throw new TenancyError('tenancy.not_found');
  return {
    fullName: r.full_name,
    phone: r.phone,
    avatarPath: r.avatar_path,
    avatarUrl: null,
    emergencyName: r.emergency_contact_name,
    emergencyPhone: r.emergency_contact_phone,
  };
}

/** A signed avatar URL (one hour), as the signed-in user. */
export async function signAvatar(supabase: SupabaseClient, path: string | null): Promise<string | null> {
  if (!path) return null;
  const { data } = await supabase.storage.from(AVATAR_BUCKET).createSignedUrl(path, 3600);
  return data?.signedUrl ?? null;
}

function normalizePhone(v: string): string | null {
  const digits = v.replace(/\D/g, '');
  if (!digits) return null;
  return /^1[3-9]\d{9}$/.test(digits) ? `86${digits}` : digits;
}

export async function saveMyProfile(
  tx: Tx,
  input: { fullName: string; emergencyName: string; emergencyPhone: string },
): Promise<void> {
  await guarded(() =>
    tx.query(
      `update public.profiles
       set full_name = $1, emergency_contact_name = nullif($2, ''), emergency_contact_phone = $3
       where id = (select auth.uid())`,
      [input.fullName, input.emergencyName, normalizePhone(input.emergencyPhone)],
    ),
  );
}

/** Uploads a new avatar, points the profile at it, and removes the previous object. */
export async function replaceAvatar(
  tx: Tx,
  supabase: SupabaseClient,
  userId: string,
  file: File | null,
): Promise<void> {
  const path = await uploadImage(supabase, AVATAR_BUCKET, userId, file, AVATAR_MAX_BYTES);
  if (!path) throw new TenancyError('tenancy.file_invalid');
  const { rows } = await tx.query<{ old: string | null }>(
    `update public.profiles p set avatar_path = $1
     from (select avatar_path as old from public.profiles where id = (select auth.uid())) prev
     where p.id = (select auth.uid()) returning prev.old`,
    [path],
  );
  const old = rows[0]?.old;
  if (old && old !== path) await supabase.storage.from(AVATAR_BUCKET).remove([old]);
}
