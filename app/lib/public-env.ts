export type PublicEnv = {
  SUPABASE_URL: string;
  SUPABASE_ANON_KEY: string;
  APP_MODE: 'local' | 'hosted';
};

declare global {
  // Set by entry.server.tsx on the server and by the root route's inline script in the browser.
  var ENV: PublicEnv | undefined;
}

/** Serialise for an inline `<script>`: escapes characters that could end the tag or break JS. */
export function serializePublicEnv(value: PublicEnv): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The whitelisted env, usable from code that runs on both server and browser. */
export function getPublicEnv(): PublicEnv {
  if (!globalThis.ENV) throw new Error('ENV is missing: entry.server or the root route did not set it');
  return globalThis.ENV;
}
