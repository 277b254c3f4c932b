import type { ZodError, ZodType, z } from 'zod';
import type { TranslateVars } from '~/i18n/translate';
import { type MessageKey, zhCN } from '~/i18n/zh-CN';

/** A message a person sees: an i18n key plus its variables, translated where it is rendered. */
export type LocalizedMessage = { key: MessageKey; vars?: TranslateVars };

/** What an action returns when a form is rejected: form-level messages and messages per field. */
export type FormErrors = {
  form?: LocalizedMessage[];
  fields?: Partial<Record<string, LocalizedMessage[]>>;
};

export function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === 'string' && Object.hasOwn(zhCN, value);
}

/**
 * Schemas use i18n keys as their messages (`z.string().min(1, 'auth.phone.required')`), so a
 * zod error maps straight to localized messages. A message that is not a key (a zod default
 * for a case the schema did not name) shows the generic "check this field" text.
 */
export function formErrorsFromZod(error: ZodError): FormErrors {
  const fields: Record<string, LocalizedMessage[]> = {};
  const form: LocalizedMessage[] = [];
  for (const issue of error.issues) {
    const message: LocalizedMessage = { key: isMessageKey(issue.message) ? issue.message : 'form.invalid' };
    const field = issue.path.join('.');
    if (field === '' || field === 'intent') form.push(message);
    else {
      const list = fields[field] ?? [];
      if (!list.some((m) => m.key === message.key)) fields[field] = [...list, message];
    }
  }
  return { ...(form.length ? { form } : {}), fields };
}

export type Submission<T> = { ok: true; data: T } | { ok: false; errors: FormErrors };

/** Parses form data with a schema; strings are trimmed except fields named like passwords. */
export function parseFormData<S extends ZodType>(formData: FormData, schema: S): Submission<z.output<S>> {
  const values: Record<string, unknown> = {};
  for (const [name, value] of formData) {
    if (typeof value !== 'string') continue;
    values[name] = /password/i.test(name) ? value : value.trim();
  }
  const result = schema.safeParse(values);
  return result.success
    ? { ok: true, data: result.data }
    : { ok: false, errors: formErrorsFromZod(result.error) };
}

type IntentSchemas = Record<string, ZodType>;

export type IntentSubmission<S extends IntentSchemas> =
  | { [K in keyof S & string]: { ok: true; intent: K; data: z.output<S[K]> } }[keyof S & string]
  | { ok: false; intent: (keyof S & string) | null; errors: FormErrors };

/**
 * For a route with several forms: the `intent` field picks the schema, then that schema parses
 * the rest. An unknown intent is a form-level error (a tampered or stale form).
 */
export function parseIntentFormData<S extends IntentSchemas>(
  formData: FormData,
  schemas: S,
): IntentSubmission<S> {
  const intent = formData.get('intent');
  if (typeof intent !== 'string' || !Object.hasOwn(schemas, intent)) {
    return { ok: false, intent: null, errors: { form: [{ key: 'form.invalid' }] } };
  }
  const key = intent as keyof S & string;
  const parsed = parseFormData(formData, schemas[key]);
  return (
    parsed.ok
      ? { ok: true, intent: key, data: parsed.data }
      : { ok: false, intent: key, errors: parsed.errors }
  ) as IntentSubmission<S>;
}
