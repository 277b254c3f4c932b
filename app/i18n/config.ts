export const locales = ['zh-CN', 'en'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'zh-CN';

/** Name of the cookie holding the chosen locale (plain value, e.g. `lang=en`). */
export const localeCookieName = 'lang';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/** Each language's name in its own language, for the switcher. */
export const localeLabels: Record<Locale, string> = {
  'zh-CN': '中文',
  en: 'English',
};
