import { defaultLocale, isLocale, type Locale, localeCookieName } from '~/i18n/config';

/** The request's locale: the `lang` cookie when valid, else zh-CN (Accept-Language is ignored on purpose). */
export function getLocale(request: Request): Locale {
  const header = request.headers.get('Cookie') ?? '';
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    const value = rest.join('=');
    if (name === localeCookieName && isLocale(value)) return value;
  }
  return defaultLocale;
}

const oneYearInSeconds = 60 * 60 * 24 * 365;

export function serializeLocaleCookie(locale: Locale): string {
  return `${localeCookieName}=${locale}; Path=/; Max-Age=${oneYearInSeconds}; SameSite=Lax`;
}
