import { test as base, expect } from '@playwright/test';

type Fixtures = {
  /** Browser errors this test expects, as substrings or patterns; any other one fails the test. */
  allowedConsoleErrors: (string | RegExp)[];
  failOnBrowserErrors: undefined;
};

export const test = base.extend<Fixtures>({
  allowedConsoleErrors: [[], { option: true }],
  failOnBrowserErrors: [
    async ({ context, allowedConsoleErrors }, use) => {
      const isAllowed = (text: string) =>
        allowedConsoleErrors.some((pattern) =>
          typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text),
        );
      const unexpected: string[] = [];
      context.on('console', (message) => {
        if (message.type() === 'error' && !isAllowed(message.text())) {
          unexpected.push(`console.error on ${message.page()?.url()}: ${message.text()}`);
        }
      });
      context.on('weberror', (webError) => {
        const error = webError.error();
        if (!isAllowed(error.message))
          unexpected.push(`pageerror on ${webError.page()?.url()}: ${error.stack}`);
      });
      await use(undefined);
      expect(unexpected, 'unexpected errors in the browser').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
