import type { Locale } from '~/i18n/config';
import { translate } from '~/i18n/translate';
import type { MessageKey } from '~/i18n/zh-CN';
import type { LocalizedMessage } from '~/lib/form-errors';
import { providerLabelKeys, type SocialIntent, type SocialProvider } from './social.schema';

/**
 * Failures of WeChat/QQ sign-in, declared as data: every code the `social-login` function (or
 * the flow itself) can end with maps to the i18n key a person sees. The function's own English
 * message stays in the log.
 */
export const socialErrorKeys: Record<string, MessageKey> = {
  cancelled: 'social.error.cancelled',
  flow_missing: 'social.error.flowMissing',
  state_invalid: 'social.error.stateInvalid',
  state_expired: 'social.error.stateInvalid',
  redirect_not_allowed: 'social.error.stateInvalid',
  code_invalid: 'social.error.codeInvalid',
  ticket_invalid: 'social.error.ticketExpired',
  ticket_expired: 'social.error.ticketExpired',
  provider_disabled: 'social.error.providerDisabled',
  provider_unavailable: 'social.error.providerUnavailable',
  provider_misconfigured: 'social.error.providerUnavailable',
  identity_in_use: 'social.error.identityInUse',
  identity_conflict: 'social.error.identityInUse',
  provider_already_linked: 'social.error.providerAlreadyLinked',
  last_sign_in_method: 'social.error.lastMethod',
  not_linked: 'social.error.notLinked',
  email_unconfirmed: 'social.error.emailUnconfirmed',
  user_banned: 'auth.error.userBanned',
  sign_in_required: 'auth.error.sessionExpired',
  phone_required: 'auth.error.phoneNotConfirmed',
  network: 'auth.error.network',
};

/** A WeChat/QQ flow that ended for a reason the person should see. */
export class SocialFlowError extends Error {
  readonly key: MessageKey;
  /** The flow it ended: a failed bind goes back to the linked-accounts page. */
  intent: SocialIntent = 'sign_in';

  constructor(
    readonly code: string,
    readonly provider: SocialProvider,
    readonly status = 400,
    options: { cause?: unknown } = {},
  ) {
    super(`social sign-in failed: ${code}`, options);
    this.name = 'SocialFlowError';
    this.key = Object.hasOwn(socialErrorKeys, code) ? socialErrorKeys[code] : 'auth.error.unexpected';
  }

  /** The message with the provider's name in the page's language. */
  toMessage(locale: Locale): LocalizedMessage {
    return { key: this.key, vars: { provider: translate(locale, providerLabelKeys[this.provider]) } };
  }
}
