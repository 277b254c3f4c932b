/**
 * Assertions for `deno test`. The usual `jsr:@std/assert` would need a download and
 * `node:assert` would need Deno's own `@types/node`; this small module needs neither, so the
 * Deno suites run offline against the project's node_modules.
 */

function isEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => isEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  if (!isEqual(actual, expected)) {
    throw new AssertionError(
      `${message ?? 'Values are not equal'}:\n  actual:   ${Deno.inspect(actual)}\n  expected: ${Deno.inspect(expected)}`,
    );
  }
}

export function assertMatch(actual: string, pattern: RegExp): void {
  if (!pattern.test(actual)) throw new AssertionError(`${Deno.inspect(actual)} does not match ${pattern}`);
}

/** Asserts that `fn` throws, and that the error passes `check` when given; returns the error. */
export function assertThrows<E = unknown>(fn: () => unknown, check?: (err: E) => boolean): E {
  try {
    fn();
  } catch (err) {
    if (check && !check(err as E))
      throw new AssertionError(`The error did not pass the check: ${Deno.inspect(err)}`);
    return err as E;
  }
  throw new AssertionError('Expected the function to throw');
}
