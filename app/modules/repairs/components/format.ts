import type { Locale } from '~/i18n/config';

/** Dates and times as people in China read them (the app's users), in the page's language. */
const TIME_ZONE = 'Asia/Shanghai';

export function formatDateTime(iso: string | null, locale: Locale): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale, {
    timeZone: TIME_ZONE,
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));
}

export function formatDate(iso: string | null, locale: Locale): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale, {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso));
}

/** `datetime-local` value (China time) → ISO instant. */
export function fromLocalInput(value: string): string {
  return new Date(`${value}:00+08:00`).toISOString();
}

/** ISO instant → `datetime-local` value in China time. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const shifted = new Date(Date.parse(iso) + 8 * 3600_000);
  return shifted.toISOString().slice(0, 16);
}

/** "1.2 km" or "350 m". */
export function formatDistance(metres: number): string {
  return metres >= 1000 ? `${(metres / 1000).toFixed(1)} km` : `${Math.round(metres / 10) * 10} m`;
}

/** A phone stored as digits with country code (8613800000015) → dialable and readable forms. */
export function phoneLink(phone: string): { href: string; label: string } {
  const local = phone.startsWith('86') && phone.length === 13 ? phone.slice(2) : `+${phone}`;
  return { href: `tel:${local.startsWith('+') ? local : `+86${local}`}`, label: local };
}
