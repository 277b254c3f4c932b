import { withServiceRole } from '@shared/db.ts';
import { platformEnv, readEnv } from '@shared/env.ts';
import pg from 'pg';
import type { NotificationChannel, Queryable } from '../../app/modules/notifications/channel.ts';
import {
  createAliyunEmailChannel,
  createAliyunSmsChannel,
} from '../../app/modules/notifications/channels/aliyun.ts';
import { createLocalOutboxChannel } from '../../app/modules/notifications/channels/local-outbox.ts';
import { createTencentSmsChannel } from '../../app/modules/notifications/channels/tencent-sms.ts';
import { createWebPushSender } from '../../app/modules/notifications/channels/web-push.ts';
import { dispatchDue } from '../../app/modules/notifications/dispatch.ts';
import { dispatchEnvSchema } from './config.ts';
import { createDispatchHandler } from './handler.ts';

const env = platformEnv();
const cfg = readEnv(dispatchEnvSchema);

// The local outbox table belongs to the local platform; it is written as the database owner
// (the user of SUPABASE_DB_URL), not as service_role. Only created when a channel uses it.
let ownerPool: pg.Pool | undefined;
const ownerDb = (): Queryable => {
  ownerPool ??= new pg.Pool({ connectionString: env.SUPABASE_DB_URL, max: 2, idleTimeoutMillis: 10_000 });
  return ownerPool as unknown as Queryable;
};

const aliyun = () => ({
  accessKeyId: cfg.ALIYUN_ACCESS_KEY_ID!,
  accessKeySecret: cfg.ALIYUN_ACCESS_KEY_SECRET!,
});

function smsChannel(): NotificationChannel | null {
  switch (cfg.NOTIFY_SMS_PROVIDER) {
    case 'local-outbox':
      return createLocalOutboxChannel('sms', ownerDb());
    case 'aliyun':
      return createAliyunSmsChannel({
        credentials: aliyun(),
        signName: cfg.ALIYUN_SMS_SIGN_NAME!,
        templateCode: cfg.ALIYUN_SMS_TEMPLATE_CODE!,
      });
    case 'tencent':
      return createTencentSmsChannel({
        secretId: cfg.TENCENT_SECRET_ID!,
        secretKey: cfg.TENCENT_SECRET_KEY!,
        sdkAppId: cfg.TENCENT_SMS_SDK_APP_ID!,
        signName: cfg.TENCENT_SMS_SIGN_NAME!,
        templateId: cfg.TENCENT_SMS_TEMPLATE_ID!,
      });
    default:
      return null;
  }
}

function emailChannel(): NotificationChannel | null {
  switch (cfg.NOTIFY_EMAIL_PROVIDER) {
    case 'local-outbox':
      return createLocalOutboxChannel('email', ownerDb());
    case 'aliyun':
      return createAliyunEmailChannel({
        credentials: aliyun(),
        accountName: cfg.ALIYUN_DM_ACCOUNT_NAME!,
        fromAlias: cfg.ALIYUN_DM_FROM_ALIAS,
      });
    default:
      return null;
  }
}

const sms = smsChannel();
const email = emailChannel();
const withDb = <T>(fn: (db: Queryable) => Promise<T>) =>
  withServiceRole(env, (client) => fn(client as unknown as Queryable));

Deno.serve(
  createDispatchHandler({
    env,
    async run() {
      // VAPID keys live in Vault (decision 0011); read them per run so keys created after boot count.
      const keys = await withDb(async (db) => {
        const { rows } = await db.query<{
          public_key: string | null;
          private_key: string | null;
          subject: string;
        }>('select * from private.vapid_keys()');
        return rows[0];
      });
      const push =
        keys?.public_key && keys.private_key
          ? createWebPushSender({
              publicKey: keys.public_key,
              privateKey: keys.private_key,
              subject: keys.subject,
            })
          : null;
      return dispatchDue({
        withDb,
        sms,
        email,
        push,
        appUrl: cfg.APP_PUBLIC_URL ?? null,
        log: (msg, details) => console.log(msg, JSON.stringify(details ?? {})),
      });
    },
  }),
);
