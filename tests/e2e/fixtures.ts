import fs from 'node:fs';
import path from 'node:path';
import { type BrowserContext, test as base, expect } from '@playwright/test';
import { createServerClient } from '@supabase/ssr';
import { createClient } from '@supabase/supabase-js';
// supabase-js needs a global WebSocket in this (Node 20) test process.
import '../setup/websocket';

/** The e2e server's local platform (see playwright.config.ts `webServer.env`). */
export const e2ePlatform = {
  url: process.env.E2E_PLATFORM_URL ?? 'http://127.0.0.1:55421',
  dataDir: process.env.E2E_DATA_DIR ?? '.data/e2e',
};

function platformKeys(): { publishableKey: string; secretKey: string } {
  return JSON.parse(fs.readFileSync(path.join(e2ePlatform.dataDir, 'keys.json'), 'utf8'));
}

/** Demo accounts of supabase/seed.sql (docs/demo-accounts.md); all use the demo password. */
export const personas = {
  resident: { phone: '13800000101', name: '张伟' },
  staff: { phone: '13800000011', name: '周建国' },
  platform: { phone: '13800000001', name: '平台所有者' },
  technician: { phone: '13800000015', name: '赵师傅' },
} as const;
export const demoPassword = 'Demo@12345';
export type Persona = keyof typeof personas;

/** A fresh mainland mobile number (139…), unique enough across runs on one data folder. */
export function newPhone(): string {
  return `139${String(Date.now()).slice(-5)}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
}

/**
 * The newest one-time code the platform "sent" to a phone (`138…`, `+86…`) or e-mail after
 * `since`, read from its dev outbox over HTTP as a person would read their phone.
 */
export async function readCode(to: string, since: Date): Promise<string> {
  const recipient = /^\d{11}$/.test(to) ? `+86${to}` : to;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${e2ePlatform.url}/_dev/outbox?to=${encodeURIComponent(recipient)}&format=json`);
    const { messages } = (await res.json()) as { messages: { otp: string | null; created_at: string }[] };
    const latest = messages.find((m) => m.otp && new Date(m.created_at).getTime() >= since.getTime() - 1000);
    if (latest?.otp) return latest.otp;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no code reached ${to}`);
}

/** Creates an account directly (Auth admin API), for flows that need one with a password. */
export async function createAccount(
  opts: ({ phone: string } | { email: string }) & { password: string; name?: string },
) {
  const admin = createClient(e2ePlatform.url, platformKeys().secretKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { data, error } = await admin.auth.admin.createUser({
    ...('phone' in opts
      ? { phone: `+86${opts.phone}`, phone_confirm: true }
      : { email: opts.email, email_confirm: true }),
    password: opts.password,
    user_metadata: opts.name ? { full_name: opts.name } : {},
  });
  if (error) throw error;
  return data.user;
}

/** The newest e-mail the platform "sent" to `to` after `since` (its dev outbox). */
export async function readEmail(to: string, since: Date): Promise<{ otp: string | null; body: string }> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${e2ePlatform.url}/_dev/outbox?to=${encodeURIComponent(to)}&format=json`);
    const { messages } = (await res.json()) as {
      messages: { otp: string | null; body: string; created_at: string }[];
    };
    const latest = messages.find((m) => new Date(m.created_at).getTime() >= since.getTime() - 1000);
    if (latest) return latest;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no e-mail reached ${to}`);
}

/**
 * Signs a browser context in without the UI: @supabase/ssr (in this process) signs in with the
 * password and hands over exactly the cookies it would set in the app.
 */
export async function signInContext(
  context: BrowserContext,
  baseURL: string,
  phone: string,
  password: string,
) {
  const cookies: { name: string; value: string }[] = [];
  const supabase = createServerClient(e2ePlatform.url, platformKeys().publishableKey, {
    cookies: {
      getAll: () => [],
      setAll: (list) => {
        for (const { name, value } of list) if (value) cookies.push({ name, value });
      },
    },
  });
  const { error } = await supabase.auth.signInWithPassword({ phone: `+86${phone}`, password });
  if (error) throw error;
  const host = new URL(baseURL).hostname;
  await context.addCookies(
    cookies.map(({ name, value }) => ({ name, value, domain: host, path: '/', sameSite: 'Lax' as const })),
  );
}

/**
 * Console errors that are not failures of the page. Remix's single fetch logs (`console.error`
 * in its turbo-stream decode, @remix-run/react single-fetch.js) the body of a data request the
 * router aborted because a newer navigation superseded it — two selects changed in quick
 * succession, a submission during a load. The router aborts without a reason, so the logged
 * error is exactly this DOMException; an unhandled AbortError (a page error) still fails.
 * Upstream: remix-run/react-router#14203.
 */
export function isBenignConsoleError(text: string): boolean {
  return text.startsWith('AbortError: signal is aborted without reason');
}

type Fixtures = {
  /** Browser errors this test expects, as substrings or patterns; any other one fails the test. */
  allowedConsoleErrors: (string | RegExp)[];
  failOnBrowserErrors: undefined;
  /** Signs this test's browser context in as a demo persona. */
  login: (options: { as: Persona }) => Promise<(typeof personas)[Persona]>;
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
        if (
          message.type() === 'error' &&
          !isAllowed(message.text()) &&
          !isBenignConsoleError(message.text())
        ) {
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
  login: async ({ context, baseURL }, use) => {
    await use(async ({ as }) => {
      await signInContext(context, baseURL!, personas[as].phone, demoPassword);
      return personas[as];
    });
  },
});

export { expect };
