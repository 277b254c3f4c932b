/**
 * A child process of the billing benchmark that plays the residents' phones for the month-end
 * peak: it sends the requests it is given (all at once, or spread over a time) and reports what
 * each resident waited, so that client work does not run on the gateway's event loop. The CPU it
 * uses is still this machine's, and the benchmark reports it separately. Talks to the parent
 * over IPC.
 */
import { request } from '../_http';

export type WaveRequest = { url: string; method: string; headers: Record<string, string>; body?: string };
export type WaveResult = { ms: number; status: number; code?: string };
export type ToWorker = { type: 'wave'; requests: WaveRequest[]; spreadMs: number } | { type: 'stop' };
export type FromWorker = { type: 'ready' } | { type: 'done'; results: WaveResult[]; wallMs: number };

const send = (m: FromWorker) => process.send?.(m);

async function one(r: WaveRequest): Promise<WaveResult> {
  const start = performance.now();
  try {
    const res = await request(r.url, { method: r.method, headers: r.headers, body: r.body });
    const ms = performance.now() - start; // the whole answer has arrived: what the resident waited
    let code: string | undefined;
    if (res.status !== 200) {
      try {
        code = String((JSON.parse(res.body.toString()) as { code?: unknown }).code ?? '');
      } catch {
        code = 'not json';
      }
    }
    return { ms, status: res.status, code };
  } catch (err) {
    return { ms: performance.now() - start, status: 0, code: (err as Error).message };
  }
}

process.on('message', async (m: ToWorker) => {
  if (m.type === 'stop') process.exit(0);
  const t0 = performance.now();
  const results = await Promise.all(
    m.requests.map(async (r, i) => {
      if (m.spreadMs)
        await new Promise((resolve) => setTimeout(resolve, (i / m.requests.length) * m.spreadMs));
      return one(r);
    }),
  );
  send({ type: 'done', results, wallMs: performance.now() - t0 });
});

// The benchmark ended (or failed): do not outlive it.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
