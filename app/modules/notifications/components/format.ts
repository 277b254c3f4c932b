import type { Locale } from '~/i18n/config';

/**
 * Times shown in China Standard Time on server and browser alike (a fixed zone keeps the
 * server-rendered text and the hydrated text identical), e.g. "11月23日 08:00" / "Nov 23, 08:00".
 */
export function formatDateTime(iso: string, locale: Locale, opts: { year?: boolean } = {}): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    ...(opts.year ? { year: 'numeric' } : {}),
    month: locale === 'en' ? 'short' : 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}
