// @ts-check
/**
 * Deno-side start-up of one function worker (run by the local functions service; not deployed).
 *
 * A hosted function calls `Deno.serve(handler)` without a port. Here every function runs in
 * its own Deno process, so this script takes over `Deno.serve`: the function listens on a
 * free loopback port, reported to the supervisor on stdout as `<token> <port>`. Then it
 * imports the function's entrypoint. The worker exits when its stdin closes, so it never
 * outlives the platform that started it.
 */

const boot = JSON.parse(Deno.env.get('WUYE_FUNCTION_BOOT') ?? '{}');
Deno.env.delete('WUYE_FUNCTION_BOOT');

/** @param {string} text */
const report = (text) => Deno.stdout.writeSync(new TextEncoder().encode(`${boot.token} ${text}\n`));

const originalServe = Deno.serve.bind(Deno);
let serving = false;

/**
 * @param {any[]} args
 */
function serveOnLoopback(...args) {
  if (serving) throw new Error('Deno.serve was called twice; a function serves once.');
  serving = true;
  const handler =
    typeof args[0] === 'function' ? args[0] : typeof args[1] === 'function' ? args[1] : args[0]?.handler;
  const options = typeof args[0] === 'object' && args[0] !== null ? args[0] : {};
  if (typeof handler !== 'function') throw new TypeError('Deno.serve needs a handler');
  return originalServe(
    {
      hostname: '127.0.0.1',
      port: 0,
      onError: options.onError,
      onListen: (/** @type {{ port: number }} */ addr) => report(`listening ${addr.port}`),
    },
    handler,
  );
}
Object.defineProperty(Deno, 'serve', { value: serveOnLoopback, configurable: true, writable: true });

// Hosted Supabase's runtime global; `waitUntil` keeps background work alive past the response.
Object.defineProperty(globalThis, 'EdgeRuntime', {
  value: {
    waitUntil: (/** @type {Promise<unknown>} */ promise) => {
      Promise.resolve(promise).catch((err) => console.error('EdgeRuntime.waitUntil task failed:', err));
    },
  },
  configurable: true,
});

(async () => {
  for await (const _ of Deno.stdin.readable) {
    // The supervisor never writes; end of input means it is gone.
  }
  Deno.exit(0);
})();

try {
  await import(boot.entrypoint);
} catch (err) {
  console.error(err);
  report('boot-error');
  Deno.exit(1);
}
if (!serving) {
  console.error(`${boot.name}: the entrypoint finished loading without calling Deno.serve`);
  report('boot-error');
  Deno.exit(1);
}
