/** An unsigned token with `claims`, as a function behind `verify_jwt = true` receives it (the gateway checked the signature). */
export function fakeJwt(claims: Record<string, unknown>, alg = 'ES256'): string {
  const part = (value: unknown) => {
    const bytes = new TextEncoder().encode(JSON.stringify(value));
    return btoa(String.fromCharCode(...bytes))
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
  };
  return `${part({ alg, typ: 'JWT' })}.${part(claims)}.signature`;
}
