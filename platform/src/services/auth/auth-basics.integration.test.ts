import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPlatform } from '../../../../tests/support/platform';
import { anonClient, authFetch, startAuthPlatform, uniqueEmail } from './testing';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startAuthPlatform();
});
afterAll(async () => {
  await platform?.close();
});

describe('sign-up and password sign-in', () => {
  it('signs up with e-mail and password (autoconfirm) and returns a session and the user', async () => {
    const supabase = anonClient(platform);
    const email = uniqueEmail();
    const { data, error } = await supabase.auth.signUp({
      email,
      password: 'secret-123',
      options: { data: { full_name: '张三' } },
    });
    expect(error).toBeNull();
    expect(data.session?.access_token).toBeTruthy();
    expect(data.session?.refresh_token).toBeTruthy();
    expect(data.session?.token_type).toBe('bearer');
    expect(data.session?.expires_in).toBeGreaterThan(3500);
    expect(data.user?.email).toBe(email);
    expect(data.user?.user_metadata).toMatchObject({ full_name: '张三', email_verified: true });
    expect(data.user?.app_metadata).toEqual({ provider: 'email', providers: ['email'] });
    expect(data.user?.identities?.[0]).toMatchObject({ provider: 'email', id: data.user?.id, email });
    expect(data.user?.email_confirmed_at).toBeTruthy();

    const { data: me, error: meError } = await anonClient(platform).auth.getUser(data.session!.access_token);
    expect(meError).toBeNull();
    expect(me.user?.id).toBe(data.user?.id);

    const row = await platform.sql.query(
      `select instance_id, aud, role, encrypted_password, confirmation_token from auth.users where id = $1`,
      [data.user!.id],
    );
    expect(row.rows[0]).toMatchObject({
      instance_id: '00000000-0000-0000-0000-000000000000',
      aud: 'authenticated',
      role: 'authenticated',
      confirmation_token: '',
    });
    expect(row.rows[0].encrypted_password).toMatch(/^\$2a\$10\$/);
  });

  it('answers wrong credentials with invalid_credentials (400) and a repeated sign-up with user_already_exists', async () => {
    const email = uniqueEmail();
    await anonClient(platform).auth.signUp({ email, password: 'secret-123' });
    const wrong = await anonClient(platform).auth.signInWithPassword({ email, password: 'nope-nope' });
    expect(wrong.error?.code).toBe('invalid_credentials');
    expect(wrong.error?.status).toBe(400);
    expect(wrong.error?.message).toBe('Invalid login credentials');

    const again = await anonClient(platform).auth.signUp({ email, password: 'secret-123' });
    expect(again.error?.code).toBe('user_already_exists');
    expect(again.error?.status).toBe(422);

    const ok = await anonClient(platform).auth.signInWithPassword({ email: email.toUpperCase(), password: 'secret-123' });
    expect(ok.error).toBeNull();
    expect(ok.data.session?.user.email).toBe(email);
  });
});
