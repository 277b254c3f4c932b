import { CircleCheck } from 'lucide-react';
import type { ReactNode } from 'react';

/** A quiet confirmation at the top of an auth page ("you have signed out"). */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <p
      role="status"
      className="flex items-center gap-2 rounded-md border border-primary/20 bg-primary/5 px-3 py-2.5 text-primary text-sm"
    >
      <CircleCheck aria-hidden className="size-4 shrink-0" />
      {children}
    </p>
  );
}
