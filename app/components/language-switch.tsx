import { useFetcher, useLocation } from '@remix-run/react';
import { isLocale, localeLabels, locales } from '~/i18n/config';
import { useLocale, useT } from '~/i18n/use-t';
import { cn } from '~/lib/utils';

/**
 * 中文 / English toggle. A plain POST form to /resources/locale, so it works before hydration;
 * with JavaScript the fetcher submits it and the redirect back re-runs the loaders in the new locale.
 */
export function LanguageSwitch({
  tone = 'light',
  className,
}: {
  tone?: 'light' | 'dark';
  className?: string;
}) {
  const fetcher = useFetcher();
  const location = useLocation();
  const t = useT();
  const locale = useLocale();
  // Show the choice immediately while the cookie is being set.
  const pending = fetcher.formData?.get('locale');
  const current = isLocale(pending) ? pending : locale;

  return (
    <fetcher.Form method="post" action="/resources/locale" className={className}>
      <input type="hidden" name="redirectTo" value={`${location.pathname}${location.search}`} />
      <fieldset
        className={cn(
          'inline-flex items-center rounded-full border p-0.5 text-xs',
          tone === 'dark' ? 'border-white/15 bg-white/5' : 'bg-muted/60',
        )}
      >
        <legend className="sr-only">{t('common.language')}</legend>
        {locales.map((option) => {
          const active = option === current;
          return (
            <button
              key={option}
              type="submit"
              name="locale"
              value={option}
              lang={option}
              aria-pressed={active}
              className={cn(
                'rounded-full px-2.5 py-1 font-medium transition-colors focus-visible:outline-2 focus-visible:outline-ring',
                active && tone === 'light' && 'bg-primary text-primary-foreground shadow-xs',
                active && tone === 'dark' && 'bg-white/15 text-console-foreground',
                !active && tone === 'light' && 'text-muted-foreground hover:text-foreground',
                !active && tone === 'dark' && 'text-console-muted hover:text-console-foreground',
              )}
            >
              {localeLabels[option]}
            </button>
          );
        })}
      </fieldset>
    </fetcher.Form>
  );
}
