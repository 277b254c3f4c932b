import { Building } from 'lucide-react';
import { useT } from '~/i18n/use-t';
import { cn } from '~/lib/utils';

export function BrandMark({ className, tone = 'light' }: { className?: string; tone?: 'light' | 'dark' }) {
  const t = useT();
  return (
    <span className={cn('inline-flex items-center gap-2 font-semibold tracking-tight', className)}>
      <span
        aria-hidden
        className={cn(
          'grid size-8 place-items-center rounded-lg',
          tone === 'dark'
            ? 'bg-console-accent/20 text-console-accent'
            : 'bg-gradient-to-br from-teal-500 to-emerald-600 text-white shadow-sm',
        )}
      >
        <Building className="size-4.5" />
      </span>
      <span>{t('brand.name')}</span>
    </span>
  );
}
