import { Link } from '@remix-run/react';
import { FormErrors } from '~/components/forms';
import { buttonVariants } from '~/components/ui/button';
import { useT } from '~/i18n/use-t';
import type { LocalizedMessage } from '~/lib/form-errors';
import { cn } from '~/lib/utils';
import { AuthCard } from '~/modules/auth/components/auth-card';
import { providerLabelKeys, type SocialProvider } from '../social.schema';
import { ProviderIcon } from './provider-icon';

/** A WeChat/QQ sign-in that could not finish: why, and the ways on. */
export function SocialProblem({ provider, error }: { provider: SocialProvider; error: LocalizedMessage }) {
  const t = useT();
  const name = t(providerLabelKeys[provider]);
  return (
    <AuthCard title={t('social.callback.title', { provider: name })}>
      <FormErrors errors={[error]} />
      <div className="flex flex-col gap-3">
        <a href={`/auth/social/${provider}`} className={cn(buttonVariants({ size: 'lg' }), 'w-full')}>
          <ProviderIcon provider={provider} className="text-current" />
          {t('social.callback.retry', { provider: name })}
        </a>
        <Link to="/auth/sign-in" className={cn(buttonVariants({ variant: 'outline', size: 'lg' }), 'w-full')}>
          {t('social.callback.backToSignIn')}
        </Link>
      </div>
    </AuthCard>
  );
}
