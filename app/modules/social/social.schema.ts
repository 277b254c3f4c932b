import { z } from 'zod';
import type { MessageKey } from '~/i18n/zh-CN';
import { sendSmsCodeSchema, smsSignInSchema } from '~/modules/auth/auth.schema';

/**
 * WeChat and QQ sign-in: what the app sends to and gets from the `social-login` Edge Function
 * (edge-functions/social-login/handler.ts), the flow cookie, and the forms.
 */

export const socialProviders = ['wechat', 'qq'] as const;
export type SocialProvider = (typeof socialProviders)[number];

export const providerSchema = z.enum(socialProviders);

export const providerLabelKeys: Record<SocialProvider, MessageKey> = {
  wechat: 'social.provider.wechat',
  qq: 'social.provider.qq',
};

export const socialIntents = ['sign_in', 'bind'] as const;
export type SocialIntent = (typeof socialIntents)[number];

// ---------------------------------------------------------------------------------------------
// The function's answers
// ---------------------------------------------------------------------------------------------
export const authorizeResponse = z.object({ url: z.string().url(), expires_at: z.string() });

const identity = z.object({
  provider: providerSchema,
  nickname: z.string(),
  avatar_url: z.string().nullable(),
  linked_at: z.string(),
});

const session = z
  .object({
    access_token: z.string().min(1),
    refresh_token: z.string().min(1),
    expires_in: z.number(),
  })
  .passthrough();

export const callbackResponse = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signed_in'), provider: providerSchema, session }),
  z.object({
    status: z.literal('needs_phone'),
    provider: providerSchema,
    ticket: z.string().min(1),
    expires_at: z.string(),
    profile: z.object({ nickname: z.string(), avatar_url: z.string().nullable() }),
  }),
  z.object({ status: z.literal('linked'), provider: providerSchema, identity }),
]);
export type CallbackResponse = z.infer<typeof callbackResponse>;

export const linkResponse = z.object({ status: z.literal('linked'), provider: providerSchema, identity });
export const unlinkResponse = z.object({ status: z.literal('unlinked'), provider: providerSchema });

/** The function's error body. */
export const functionError = z.object({ code: z.string(), message: z.string().optional() });

// ---------------------------------------------------------------------------------------------
// The flow cookie (httpOnly): the nonce only this browser knows, and where the flow is.
// ---------------------------------------------------------------------------------------------
export const flowCookieSchema = z.object({
  v: z.literal(1),
  provider: providerSchema,
  intent: z.enum(socialIntents),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{43,128}$/),
  returnTo: z.string().max(2048).nullable(),
  /** Set once the provider confirmed a new user who must add a phone. */
  pending: z
    .object({
      ticket: z.string().min(1).max(4096),
      expiresAt: z.string(),
      nickname: z.string().max(64),
      avatarUrl: z.string().max(1024).nullable(),
    })
    .optional(),
});
export type FlowCookie = z.infer<typeof flowCookieSchema>;

// ---------------------------------------------------------------------------------------------
// Routes and forms
// ---------------------------------------------------------------------------------------------
/** `/auth/social/:provider?redirectTo=` and `/auth/callback/:provider?code=&state=`. */
export const startQuery = z.object({ redirectTo: z.string().max(2048).optional().catch(undefined) });
export const callbackQuery = z.object({
  code: z.string().min(1).max(512).optional().catch(undefined),
  state: z.string().min(1).max(256).optional().catch(undefined),
});

/** The bind-phone page: send a code to the phone, then verify it (the sign-up schemas). */
export const bindPhoneIntents = {
  'send-sms-code': sendSmsCodeSchema,
  'bind-phone': smsSignInSchema,
};

/** The linked-accounts page. */
export const accountsIntents = {
  bind: z.object({ provider: providerSchema }),
  unbind: z.object({ provider: providerSchema }),
};
