import { useT } from '~/i18n/use-t';
import { cn } from '~/lib/utils';
import type { MediaDTO } from '../repairs.server';

/** Photos and videos of a ticket, from signed URLs (private bucket). */
export function MediaGallery({ media, className }: { media: MediaDTO[]; className?: string }) {
  const t = useT();
  if (media.length === 0) return null;
  return (
    <ul className={cn('grid grid-cols-3 gap-2', className)} aria-label={t('repairs.media.photos')}>
      {media.map((m) => (
        <li key={m.id} className="aspect-square overflow-hidden rounded-lg border bg-muted">
          {m.url === null ? (
            <span className="grid size-full place-items-center text-muted-foreground text-xs">
              {t('repairs.media.unavailable')}
            </span>
          ) : m.mediaType === 'image' ? (
            <a href={m.url} target="_blank" rel="noreferrer" className="block size-full">
              <img
                src={m.url}
                alt={t('repairs.media.photo')}
                loading="lazy"
                className="size-full object-cover"
              />
            </a>
          ) : (
            // biome-ignore lint/a11y/useMediaCaption: residents' own fault videos have no captions
            <video
              src={m.url}
              controls
              preload="metadata"
              playsInline
              className="size-full bg-black object-contain"
            />
          )}
        </li>
      ))}
    </ul>
  );
}
