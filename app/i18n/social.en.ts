import type { socialZhCN } from './social.zh-CN';

/** WeChat and QQ sign-in messages in English (keys from social.zh-CN.ts). */
export const socialEn: Record<keyof typeof socialZhCN, string> = {
  'social.provider.wechat': 'WeChat',
  'social.provider.qq': 'QQ',
  'social.signIn.divider': 'Or sign in with',
  'social.signIn.wechat': 'WeChat',
  'social.signIn.qq': 'QQ',
  'social.callback.title': '{provider} sign-in did not finish',
  'social.callback.retry': 'Sign in with {provider} again',
  'social.callback.backToSignIn': 'Back to sign-in',
  'social.callback.backToAccounts': 'Back to linked accounts',
  'social.bindPhone.title': 'Add your phone number',
  'social.bindPhone.subtitle':
    'This is your first {provider} sign-in: verify your phone number to finish. If the number already has an account, {provider} is linked to it.',
  'social.bindPhone.greeting': '{provider} user “{nickname}”',
  'social.bindPhone.submit': 'Finish and sign in',
  'social.bindPhone.cancel': 'Cancel and go back',
  'social.accounts.title': 'Linked accounts',
  'social.accounts.subtitle': 'Link WeChat or QQ to sign in with one tap',
  'social.accounts.menu': 'Linked accounts',
  'social.accounts.phone': 'Phone',
  'social.accounts.email': 'E-mail',
  'social.accounts.notBound': 'Not linked',
  'social.accounts.bind': 'Link',
  'social.accounts.unbind': 'Unlink',
  'social.accounts.linkedAt': 'Linked {date}',
  'social.accounts.lastMethod': 'Your only way to sign in cannot be unlinked',
  'social.accounts.linked': '{provider} is linked',
  'social.accounts.unlinked': '{provider} is unlinked',
  'social.error.cancelled': 'You cancelled the {provider} sign-in',
  'social.error.flowMissing': 'This sign-in expired or was started in another browser. Please start again.',
  'social.error.stateInvalid': 'The sign-in could not be verified. Please sign in with {provider} again.',
  'social.error.codeInvalid': 'The authorization expired. Please sign in with {provider} again.',
  'social.error.ticketExpired': 'The sign-up timed out. Please sign in with {provider} again.',
  'social.error.providerDisabled': 'Sign-in with {provider} is not available',
  'social.error.providerUnavailable':
    '{provider} sign-in is unavailable right now. Try again later or use your phone.',
  'social.error.identityInUse': 'This {provider} account is linked to another account',
  'social.error.providerAlreadyLinked':
    'This account is already linked to another {provider} account. Unlink it first.',
  'social.error.lastMethod':
    'This is your only way to sign in and cannot be unlinked. Verify a phone number first.',
  'social.error.notLinked': '{provider} is not linked',
  'social.error.emailUnconfirmed':
    'The e-mail address of this account is not confirmed. Sign in with a phone or e-mail code first.',
};
