/** A fetch that answers from recorded bodies by path, and remembers what was asked. */
export type Recorded = Record<string, unknown | ((url: URL) => unknown)>;

export function recordedFetch(byPath: Recorded, opts: { contentType?: string } = {}) {
  const calls: URL[] = [];
  const fetcher = (input: string): Promise<Response> => {
    const url = new URL(input);
    calls.push(url);
    const entry = byPath[url.pathname];
    if (entry === undefined) return Promise.resolve(new Response('not found', { status: 404 }));
    const body = typeof entry === 'function' ? entry(url) : entry;
    return Promise.resolve(
      new Response(typeof body === 'string' ? body : JSON.stringify(body), {
        status: 200,
        headers: { 'Content-Type': opts.contentType ?? 'text/plain' },
      }),
    );
  };
  return { fetch: fetcher, calls };
}
