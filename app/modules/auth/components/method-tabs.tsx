import { Link } from '@remix-run/react';
import { useT } from '~/i18n/use-t';
import type { MessageKey } from '~/i18n/zh-CN';
import { cn } from '~/lib/utils';
import { type SignInMethod, signInMethods } from '../auth.schema';

const labels: Record<SignInMethod, MessageKey> = {
  sms: 'auth.method.sms',
  password: 'auth.method.password',
  email: 'auth.method.email',
};

/** Sign-in methods as links (`?method=`), so each has its own URL and works without JavaScript. */
export function MethodTabs({ current, redirectTo }: { current: SignInMethod; redirectTo: string | null }) {
  const t = useT();
  return (
    <nav aria-label={t('auth.method.label')}>
      <ul className="grid grid-cols-3 rounded-lg bg-muted p-1 text-sm">
        {signInMethods.map((method) => {
          const params = new URLSearchParams({ method, ...(redirectTo ? { redirectTo } : {}) });
          const active = method === current;
          return (
            <li key={method}>
              <Link
                to={`/auth/sign-in?${params}`}
                replace
                preventScrollReset
                aria-current={active ? 'page' : undefined}
                className={cn(
                  'block rounded-md px-2 py-1.5 text-center transition-colors focus-visible:outline-2 focus-visible:outline-ring',
                  active
                    ? 'bg-background font-medium text-foreground shadow-xs'
                    : 'text-muted-foreground hover:text-foreground',
                )}
              >
                {t(labels[method])}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
