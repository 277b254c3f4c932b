/**
 * The benchmarks' HTTP client: node:http with a keep-alive agent (one connection per request in
 * flight, reused afterwards, as browsers and fetch do). It costs the machine about half the CPU
 * of fetch (undici's WHATWG streams) per request, and the load generator shares the cores with
 * what it measures, so a cheaper client measures the server with less of its own noise. Timing
 * is taken around the whole exchange, body included: what the caller waits for.
 */
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

export type HttpResponse = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

export function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) headers['Content-Length'] = Buffer.byteLength(init.body);
    const req = http.request(url, { method: init.method ?? 'GET', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
