import type { LucideIcon } from 'lucide-react';
import { cn } from '~/lib/utils';

export function EmptyState({
  icon: Icon,
  title,
  body,
  className,
  children,
}: {
  icon: LucideIcon;
  title: string;
  body: string;
  className?: string;
  children?: React.ReactNode;
}) {
  return (
    <div className={cn('flex flex-col items-center gap-2 px-4 py-6 text-center', className)}>
      <span
        aria-hidden
        className="grid size-11 place-items-center rounded-full bg-secondary text-secondary-foreground"
      >
        <Icon className="size-5" />
      </span>
      <p className="font-medium">{title}</p>
      <p className="max-w-xs text-muted-foreground text-sm">{body}</p>
      {children}
    </div>
  );
}
