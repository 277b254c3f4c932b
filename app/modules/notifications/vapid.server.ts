import { type JwtClaims, withServiceRoleDangerously, withUser } from '~/lib/db.server';
import { env } from '~/lib/env.server';
import { logger } from '~/lib/logger.server';
import { generateVapidKeys } from './channels/web-push';
import { getVapidPublicKey } from './notifications.server';

/**
 * The Web Push application server key for the browser. VAPID keys live in Vault (decision 0011):
 * hosted operators store them once; locally the first person to open the notification settings
 * of a fresh data folder generates them (the only service-role write here, local mode only).
 */
export async function vapidKeyForBrowser(claims: JwtClaims): Promise<string | null> {
  const key = await withUser(claims, getVapidPublicKey, { readOnly: true });
  if (key || env.APP_MODE !== 'local') return key;
  const pair = generateVapidKeys();
  try {
    return await withServiceRoleDangerously(
      'generate the local Web Push (VAPID) keys on first use',
      async (tx) => {
        const { rows } = await tx.query<{ key: string }>(
          `select private.ensure_vapid_keys($1, $2, 'mailto:dev@wuye.localhost') as key`,
          [pair.publicKey, pair.privateKey],
        );
        return rows[0].key;
      },
    );
  } catch (err) {
    // No Vault locally (platform started without its scheduler): push stays off, the rest works.
    logger.warn({ err }, 'could not create local VAPID keys');
    return null;
  }
}
