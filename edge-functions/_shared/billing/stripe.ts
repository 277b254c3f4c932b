/**
 * The Stripe client of the billing functions: the real `stripe` library, on fetch, verifying
 * webhooks with SubtleCrypto (Deno has no Node crypto for it). With `apiBase` it talks to a
 * Stripe-compatible server instead of api.stripe.com: the local sandbox function (which lives
 * under a path prefix, added by the fetch below) or a test fake.
 */
import Stripe from 'stripe';
import type { PaymentsConfig } from './config.ts';

export type StripeClient = Stripe;

export function createStripe(config: Pick<PaymentsConfig, 'secretKey' | 'apiBase'>): Stripe {
  const base = config.apiBase;
  const prefix = base ? base.pathname.replace(/\/$/, '') : '';
  const fetchWithPrefix: typeof fetch = (input, init) => {
    if (!prefix) return fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    url.pathname = `${prefix}${url.pathname}`;
    return fetch(input instanceof Request ? new Request(url, input) : url, init);
  };
  return new Stripe(config.secretKey, {
    httpClient: Stripe.createFetchHttpClient(fetchWithPrefix),
    maxNetworkRetries: 2,
    timeout: 15_000,
    telemetry: false,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'https:' ? '443' : '80'),
          protocol: base.protocol.replace(':', '') as 'http' | 'https',
        }
      : {}),
  });
}

export const cryptoProvider = Stripe.createSubtleCryptoProvider();

/** Verifies `Stripe-Signature` on the raw body (300 s tolerance) and parses the event. */
export function verifyWebhook(stripe: Stripe, rawBody: string, signature: string | null, secret: string) {
  return stripe.webhooks.constructEventAsync(rawBody, signature ?? '', secret, 300, cryptoProvider);
}
