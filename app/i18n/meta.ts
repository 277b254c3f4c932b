import { defaultLocale, isLocale } from '~/i18n/config';
import { translate } from '~/i18n/translate';
import type { MessageKey } from '~/i18n/zh-CN';

type MetaMatch = { id: string; data: unknown };

/** `<title>` for a route's meta export, in the locale chosen by the root loader. */
export function pageMeta(matches: readonly MetaMatch[], key: MessageKey) {
  const rootData = matches.find((match) => match.id === 'root')?.data as { locale?: unknown } | undefined;
  const locale = isLocale(rootData?.locale) ? rootData.locale : defaultLocale;
  return [{ title: `${translate(locale, key)} · ${translate(locale, 'brand.name')}` }];
}
