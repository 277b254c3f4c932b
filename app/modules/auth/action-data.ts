import type { FormErrors, LocalizedMessage } from '~/lib/form-errors';

/** What the auth actions answer when they do not redirect (shared by server and forms). */
export type AuthActionData = {
  intent: string | null;
  errors?: FormErrors;
  /** A code went out: to whom (masked) and when another may be requested. */
  sent?: { to: string; resendIn: number };
  /** A send was rate-limited: seconds to wait before the next one. */
  retryAfter?: { seconds: number };
  /** Non-secret fields as submitted, so a page rendered without JavaScript keeps them. */
  values?: Record<string, string>;
};

const noMessages: LocalizedMessage[] = [];

/** Errors of the form a response belongs to (`intents`), or none when it answered another form. */
export function errorsFor(actionData: AuthActionData | undefined, intents: readonly string[]) {
  const own = actionData && (actionData.intent === null || intents.includes(actionData.intent));
  return {
    form: (own && actionData.errors?.form) || noMessages,
    field: (name: string) => (own && actionData.errors?.fields?.[name]) || noMessages,
  };
}
