import { type ActionFunctionArgs, replace } from '@remix-run/node';
import { z } from 'zod';
import { locales } from '~/i18n/config';
import { serializeLocaleCookie } from '~/i18n/locale.server';
import { safeRedirect } from '~/lib/safe-redirect';

const schema = z.object({
  locale: z.enum(locales),
  redirectTo: z.string().optional(),
});

/** Stores the chosen locale in the `lang` cookie and returns to the page the switch was on. */
export async function action({ request }: ActionFunctionArgs) {
  const parsed = schema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) throw new Response('Invalid locale', { status: 400 });
  // `replace` keeps a language change from adding a history entry when submitted by a fetcher.
  return replace(safeRedirect(parsed.data.redirectTo), {
    headers: { 'Set-Cookie': serializeLocaleCookie(parsed.data.locale) },
  });
}
