import { describe, expect, it } from 'vitest';
import { claimSettings } from './db.server';

describe('claimSettings', () => {
  it('sets the role, the full claims and the per-claim mirrors, as PostgREST does', () => {
    const claims = {
      role: 'authenticated' as const,
      sub: '8c7f2b1e-4d8a-4c1e-9f3a-2b6d5e4f3a21',
      app_metadata: { platform_role: 'support' as const },
    };
    expect(claimSettings(claims)).toEqual([
      ['role', 'authenticated'],
      ['request.jwt.claims', JSON.stringify(claims)],
      ['request.jwt.claim.sub', claims.sub],
      ['request.jwt.claim.role', 'authenticated'],
    ]);
  });

  it('passes request details with lower-cased header names', () => {
    const settings = claimSettings(
      { role: 'anon' },
      { method: 'GET', path: '/office', headers: { 'X-Request-Id': 'abc' } },
    );
    expect(settings).toContainEqual(['request.jwt.claim.sub', '']);
    expect(settings).toContainEqual(['request.method', 'GET']);
    expect(settings).toContainEqual(['request.path', '/office']);
    expect(settings).toContainEqual(['request.headers', '{"x-request-id":"abc"}']);
  });
});
