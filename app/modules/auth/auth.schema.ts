import { z } from 'zod';
import type { MessageKey } from '~/i18n/zh-CN';
import { countryCodes, isCountryCode, parseAccount, toE164 } from './phone';

/**
 * One zod schema per auth form. Messages are i18n keys (see `formErrorsFromZod`). Routes with
 * several forms tell them apart by `intent`; each intent has its own schema here.
 */

const required = (key: MessageKey) => z.string({ required_error: key, invalid_type_error: key }).min(1, key);

const redirectTo = z.string().max(2048).optional();

const phoneFields = {
  countryCode: z.enum(countryCodes, { message: 'auth.phone.invalid' }),
  phone: required('auth.phone.required'),
};

/**
 * The phone number must be valid for its country code. A refinement (not only the transform
 * below) so that it is reported together with the form's other errors.
 */
function checkPhone(value: { countryCode: string; phone: string }, ctx: z.RefinementCtx) {
  if (isCountryCode(value.countryCode) && value.phone && !toE164(value.countryCode, value.phone)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['phone'], message: 'auth.phone.invalid' });
  }
}

/** `{countryCode, phone}` from the form becomes `phone` in E.164. */
function toE164Phone<T extends { countryCode: (typeof countryCodes)[number]; phone: string }>(
  value: T,
): Omit<T, 'countryCode' | 'phone'> & { phone: string } {
  const { countryCode, phone, ...rest } = value;
  // checkPhone has run: the number is valid for its country code.
  return { ...rest, phone: toE164(countryCode, phone) ?? '' };
}

const code = required('auth.code.required').regex(/^\d{6,10}$/, 'auth.code.invalid');

const email = required('auth.email.required')
  .max(255, 'auth.email.invalid')
  .email('auth.email.invalid')
  .transform((value) => value.toLowerCase());

/** Phone (a bare mainland number or `+<country>…`) or e-mail, as one typed "account". */
const account = required('auth.account.required').transform((value, ctx) => {
  const parsed = parseAccount(value);
  if (!parsed) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'auth.account.invalid' });
    return z.NEVER;
  }
  return parsed;
});

/** A new password: 8–72 bytes (bcrypt's limit) with at least one letter and one digit. */
export const newPassword = z
  .string({ required_error: 'auth.password.required' })
  .min(1, 'auth.password.required')
  .min(8, 'auth.password.tooShort')
  .refine((value) => new TextEncoder().encode(value).length <= 72, 'auth.password.tooLong')
  .refine((value) => /\p{L}/u.test(value) && /\d/.test(value), 'auth.password.weak');

// ---------------------------------------------------------------------------------------------
// /auth/sign-in
// ---------------------------------------------------------------------------------------------
export const signInMethods = ['sms', 'password', 'email'] as const;
export type SignInMethod = (typeof signInMethods)[number];

/** The sign-in page's query: unknown values fall back instead of failing the page. */
export const signInPageQuery = z.object({
  method: z.enum(signInMethods).catch('sms'),
  redirectTo: z.string().max(2048).optional().catch(undefined),
  signedOut: z.enum(['local', 'global']).optional().catch(undefined),
  error: z.enum(['link-expired']).optional().catch(undefined),
});

export const sendSmsCodeSchema = z
  .object({ ...phoneFields, redirectTo })
  .superRefine(checkPhone)
  .transform(toE164Phone);
export const smsSignInSchema = z
  .object({ ...phoneFields, code, redirectTo })
  .superRefine(checkPhone)
  .transform(toE164Phone);
export const passwordSignInSchema = z.object({
  account,
  password: required('auth.password.required').max(200, 'auth.password.required'),
  redirectTo,
});
export const sendEmailCodeSchema = z.object({ email, redirectTo });
export const emailSignInSchema = z.object({ email, code, redirectTo });

export const signInIntents = {
  'send-sms-code': sendSmsCodeSchema,
  'sign-in-sms': smsSignInSchema,
  'sign-in-password': passwordSignInSchema,
  'send-email-code': sendEmailCodeSchema,
  'sign-in-email': emailSignInSchema,
};

// ---------------------------------------------------------------------------------------------
// /auth/sign-up
// ---------------------------------------------------------------------------------------------
export const signUpIntents = {
  'send-sms-code': sendSmsCodeSchema,
  'sign-up': smsSignInSchema,
};

// ---------------------------------------------------------------------------------------------
// /auth/reset-password (code by SMS or e-mail) and /auth/new-password
// ---------------------------------------------------------------------------------------------
export const resetPasswordIntents = {
  'send-reset-code': z.object({ account }),
  'verify-reset-code': z.object({ account, code }),
};

export const newPasswordSchema = z
  .object({
    password: newPassword,
    confirmPassword: z.string({ required_error: 'auth.password.mismatch' }),
    redirectTo,
  })
  .refine((value) => value.password === value.confirmPassword, {
    path: ['confirmPassword'],
    message: 'auth.password.mismatch',
  });

// ---------------------------------------------------------------------------------------------
// /auth/welcome (name of a new account) and /auth/sign-out
// ---------------------------------------------------------------------------------------------
export const profileNameSchema = z.object({
  fullName: required('auth.name.required').max(32, 'auth.name.tooLong'),
  redirectTo,
});

export const signOutSchema = z.object({
  scope: z.enum(['local', 'global'], { message: 'form.invalid' }).default('local'),
  /** "Switch account": sign in again and come back here. */
  redirectTo,
});
