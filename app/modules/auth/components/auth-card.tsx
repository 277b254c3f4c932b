import type { ReactNode } from 'react';

/** The frame of every auth page: a heading, an optional line under it, the form and a footer. */
export function AuthCard({
  title,
  description,
  children,
  footer,
}: {
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <div className="flex w-full flex-col gap-6 sm:rounded-2xl sm:border sm:bg-card sm:p-8 sm:shadow-sm">
      <header className="flex flex-col gap-1.5">
        <h1 className="font-semibold text-2xl tracking-tight">{title}</h1>
        {description ? <p className="text-muted-foreground text-sm">{description}</p> : null}
      </header>
      {children}
      {footer ? <footer className="text-center text-muted-foreground text-sm">{footer}</footer> : null}
    </div>
  );
}
