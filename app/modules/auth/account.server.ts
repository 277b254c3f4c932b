import { type JwtClaims, withUser } from '~/lib/db.server';

/** The signed-in person as the app needs them on every surface; a DTO, never a row. */
export type Account = {
  fullName: string;
  /** An active member of at least one active property company. */
  isStaff: boolean;
};

/**
 * Name and staff status of the signed-in user, read as that user (RLS applies: a person sees
 * their own profile and their own memberships). One read-only transaction.
 */
export async function loadAccount(claims: JwtClaims): Promise<Account> {
  const { rows } = await withUser(
    claims,
    (tx) =>
      tx.query<{ full_name: string | null; is_staff: boolean }>(
        `select
           (select p.full_name from public.profiles p where p.id = (select auth.uid())) as full_name,
           exists (
             select 1
             from public.company_members m
             join public.companies c on c.id = m.company_id
             where m.user_id = (select auth.uid()) and m.status = 'active' and c.status = 'active'
           ) as is_staff`,
      ),
    { readOnly: true },
  );
  return { fullName: rows[0]?.full_name ?? '', isStaff: rows[0]?.is_staff ?? false };
}

/** Saves the person's display name (姓名) on their own profile. */
export async function saveFullName(claims: JwtClaims, fullName: string): Promise<void> {
  const { rowCount } = await withUser(claims, (tx) =>
    tx.query('update public.profiles set full_name = $1 where id = (select auth.uid())', [fullName]),
  );
  if (rowCount !== 1) throw new Error('saveFullName: the profile of the signed-in user was not found');
}
