import { Star } from 'lucide-react';
import { useId, useState } from 'react';
import { useT } from '~/i18n/use-t';
import { cn } from '~/lib/utils';
import type { RatingDTO } from '../repairs.server';

const ASPECTS = ['speed', 'quality', 'attitude'] as const;

/** Five stars as radio buttons (keyboard and screen-reader friendly, works without JavaScript). */
export function StarInput({ name, label }: { name: string; label: string }) {
  const t = useT();
  const id = useId();
  const [value, setValue] = useState(0);
  return (
    <fieldset className="flex items-center justify-between gap-3">
      <legend className="sr-only">{label}</legend>
      <span aria-hidden className="text-sm">
        {label}
      </span>
      <span className="flex gap-1">
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n} htmlFor={`${id}-${n}`} className="cursor-pointer">
            <input
              id={`${id}-${n}`}
              type="radio"
              name={name}
              value={n}
              required
              className="peer sr-only"
              onChange={() => setValue(n)}
            />
            <span className="sr-only">{t('repairs.rate.stars', { n })}</span>
            <Star
              aria-hidden
              className={cn(
                'size-7 rounded-sm transition-colors peer-focus-visible:outline-2 peer-focus-visible:outline-ring',
                n <= value ? 'fill-amber-400 text-amber-400' : 'text-muted-foreground/50',
              )}
            />
          </label>
        ))}
      </span>
    </fieldset>
  );
}

export function RatingInputs() {
  const t = useT();
  return (
    <div className="flex flex-col gap-2">
      {ASPECTS.map((a) => (
        <StarInput key={a} name={a} label={t(`repairs.rate.${a}`)} />
      ))}
    </div>
  );
}

export function Stars({ value, label }: { value: number; label: string }) {
  const t = useT();
  return (
    <span className="flex items-center justify-between gap-3 text-sm">
      <span>{label}</span>
      <span className="flex" role="img" aria-label={t('repairs.rate.stars', { n: value })}>
        {[1, 2, 3, 4, 5].map((n) => (
          <Star
            key={n}
            aria-hidden
            className={cn(
              'size-4',
              n <= value ? 'fill-amber-400 text-amber-400' : 'text-muted-foreground/40',
            )}
          />
        ))}
      </span>
    </span>
  );
}

export function RatingView({ rating }: { rating: RatingDTO }) {
  const t = useT();
  return (
    <div className="flex flex-col gap-1.5">
      {ASPECTS.map((a) => (
        <Stars key={a} value={rating[a]} label={t(`repairs.rate.${a}`)} />
      ))}
      {rating.comment ? <p className="mt-1 whitespace-pre-wrap text-sm">{rating.comment}</p> : null}
    </div>
  );
}
