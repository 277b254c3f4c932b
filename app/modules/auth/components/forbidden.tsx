import { Form, Link, useLocation } from '@remix-run/react';
import { ShieldX } from 'lucide-react';
import { SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { useT } from '~/i18n/use-t';
import type { ForbiddenData } from '../viewer';

export function isForbiddenData(value: unknown): value is ForbiddenData {
  const reason = (value as { reason?: unknown } | null)?.reason;
  return reason === 'not-staff' || reason === 'not-platform';
}

/**
 * The 403 page of a surface the signed-in account may not use: says which account it is and
 * offers home or signing in as someone else (who is brought back here).
 */
export function Forbidden({ data }: { data: ForbiddenData }) {
  const t = useT();
  const location = useLocation();
  const account = data.viewer.maskedPhone ?? data.viewer.email ?? data.viewer.name;
  return (
    <div role="alert" className="mx-auto flex max-w-md flex-col items-center gap-3 px-4 py-16 text-center">
      <span
        aria-hidden
        className="grid size-14 place-items-center rounded-full bg-secondary text-secondary-foreground"
      >
        <ShieldX className="size-7" />
      </span>
      <p className="font-mono text-muted-foreground text-xs">{t('error.status', { status: 403 })}</p>
      <h1 className="font-semibold text-2xl tracking-tight">{t('error.forbidden.title')}</h1>
      <p className="text-muted-foreground text-sm">
        {t(data.reason === 'not-staff' ? 'auth.forbidden.notStaff' : 'auth.forbidden.notPlatform', {
          account,
        })}
      </p>
      <div className="mt-2 flex flex-wrap justify-center gap-2">
        <Button asChild variant="outline">
          <Link to="/">{t('common.backHome')}</Link>
        </Button>
        <Form method="post" action="/auth/sign-out">
          <input type="hidden" name="scope" value="local" />
          <input type="hidden" name="redirectTo" value={`${location.pathname}${location.search}`} />
          <SubmitButton formAction="/auth/sign-out">{t('auth.forbidden.switchAccount')}</SubmitButton>
        </Form>
      </div>
    </div>
  );
}
