import { afterEach, beforeEach, vi } from 'vitest';

/**
 * An unexpected `console.error` fails the test that caused it. A test that expects one
 * says so with `expectConsoleError(/pattern/)` before the call.
 */
let expected: RegExp[] = [];
let unexpected: string[] = [];

export function expectConsoleError(pattern: RegExp) {
  expected.push(pattern);
}
(globalThis as { expectConsoleError?: typeof expectConsoleError }).expectConsoleError = expectConsoleError;

beforeEach(() => {
  expected = [];
  unexpected = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    const text = args
      .map((a) => (a instanceof Error ? a.stack : typeof a === 'string' ? a : JSON.stringify(a)))
      .join(' ');
    if (!expected.some((p) => p.test(text))) unexpected.push(text);
  });
});

afterEach(() => {
  vi.mocked(console.error).mockRestore();
  if (unexpected.length > 0) {
    const list = unexpected.map((t) => `  - ${t.slice(0, 500)}`).join('\n');
    unexpected = [];
    throw new Error(`Unexpected console.error during the test:\n${list}`);
  }
});
