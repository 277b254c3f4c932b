/** Only same-origin paths: rejects absolute URLs and protocol-relative `//host` or `/\host` tricks. */
export function safeRedirect(to: unknown, fallback = '/'): string {
  if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\')) {
    return fallback;
  }
  return to;
}
