import { useRouteLoaderData } from '@remix-run/react';
import { useCallback } from 'react';
import { defaultLocale, type Locale } from '~/i18n/config';
import { type Translate, translate } from '~/i18n/translate';
import type { loader as rootLoader } from '~/root';

/** The locale chosen by the root loader; zh-CN when the root loader has no data (e.g. it threw). */
export function useLocale(): Locale {
  return useRouteLoaderData<typeof rootLoader>('root')?.locale ?? defaultLocale;
}

export function useT(): Translate {
  const locale = useLocale();
  return useCallback<Translate>((key, vars) => translate(locale, key, vars), [locale]);
}
