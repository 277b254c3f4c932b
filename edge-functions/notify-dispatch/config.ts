/**
 * notify-dispatch's own settings: which SMS and e-mail provider, and its keys. Locally the
 * defaults write SMS and e-mail into the platform's outbox (`/_dev/outbox`); hosted projects set
 * NOTIFY_SMS_PROVIDER / NOTIFY_EMAIL_PROVIDER and the provider keys as function secrets.
 */
import { z } from 'zod';

const present = z.string().min(1);

export const dispatchEnvSchema = z
  .object({
    NOTIFY_SMS_PROVIDER: z.enum(['local-outbox', 'aliyun', 'tencent', 'none']).default('local-outbox'),
    NOTIFY_EMAIL_PROVIDER: z.enum(['local-outbox', 'aliyun', 'none']).default('local-outbox'),
    /** Public origin of the web app, for links in SMS and e-mail (e.g. https://wuye.example.com). */
    APP_PUBLIC_URL: z.string().url().optional(),
    ALIYUN_ACCESS_KEY_ID: present.optional(),
    ALIYUN_ACCESS_KEY_SECRET: present.optional(),
    ALIYUN_SMS_SIGN_NAME: present.optional(),
    ALIYUN_SMS_TEMPLATE_CODE: present.optional(),
    ALIYUN_DM_ACCOUNT_NAME: z.string().email().optional(),
    ALIYUN_DM_FROM_ALIAS: present.optional(),
    TENCENT_SECRET_ID: present.optional(),
    TENCENT_SECRET_KEY: present.optional(),
    TENCENT_SMS_SDK_APP_ID: present.optional(),
    TENCENT_SMS_SIGN_NAME: present.optional(),
    TENCENT_SMS_TEMPLATE_ID: present.optional(),
  })
  .superRefine((env, ctx) => {
    const need = (provider: string, names: (keyof typeof env)[]) => {
      for (const name of names) {
        if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: `required for ${provider}` });
      }
    };
    if (env.NOTIFY_SMS_PROVIDER === 'aliyun')
      need('NOTIFY_SMS_PROVIDER=aliyun', [
        'ALIYUN_ACCESS_KEY_ID',
        'ALIYUN_ACCESS_KEY_SECRET',
        'ALIYUN_SMS_SIGN_NAME',
        'ALIYUN_SMS_TEMPLATE_CODE',
      ]);
    if (env.NOTIFY_SMS_PROVIDER === 'tencent')
      need('NOTIFY_SMS_PROVIDER=tencent', [
        'TENCENT_SECRET_ID',
        'TENCENT_SECRET_KEY',
        'TENCENT_SMS_SDK_APP_ID',
        'TENCENT_SMS_SIGN_NAME',
        'TENCENT_SMS_TEMPLATE_ID',
      ]);
    if (env.NOTIFY_EMAIL_PROVIDER === 'aliyun')
      need('NOTIFY_EMAIL_PROVIDER=aliyun', [
        'ALIYUN_ACCESS_KEY_ID',
        'ALIYUN_ACCESS_KEY_SECRET',
        'ALIYUN_DM_ACCOUNT_NAME',
      ]);
  });

export type DispatchEnv = z.infer<typeof dispatchEnvSchema>;
