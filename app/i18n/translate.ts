import type { Locale } from '~/i18n/config';
import { en } from '~/i18n/en';
import { type MessageKey, type Messages, zhCN } from '~/i18n/zh-CN';

const dictionaries: Record<Locale, Messages> = { 'zh-CN': zhCN, en };

export type TranslateVars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: TranslateVars) => string;

/** Look up a message and fill `{name}` placeholders; unknown placeholders are left visible. */
export function translate(locale: Locale, key: MessageKey, vars?: TranslateVars): string {
  const message = dictionaries[locale][key];
  if (!vars) return message;
  return message.replace(/\{(\w+)\}/g, (match, name: string) => (name in vars ? String(vars[name]) : match));
}
