import { buttonVariants } from '~/components/ui/button';
import { useT } from '~/i18n/use-t';
import { cn } from '~/lib/utils';
import { socialProviders } from '../social.schema';
import { ProviderIcon } from './provider-icon';

const labelKeys = { wechat: 'social.signIn.wechat', qq: 'social.signIn.qq' } as const;

/**
 * "Other ways to sign in" under the sign-in forms. Plain links (a full page load, no prefetch):
 * each starts the provider's flow at /auth/social/<provider>, which leaves the site.
 */
export function SocialSignIn({ redirectTo }: { redirectTo: string | null }) {
  const t = useT();
  const query = redirectTo ? `?${new URLSearchParams({ redirectTo })}` : '';
  return (
    <div className="flex flex-col gap-3">
      <div className="flex items-center gap-3 text-muted-foreground text-xs">
        <span className="h-px flex-1 bg-border" />
        {t('social.signIn.divider')}
        <span className="h-px flex-1 bg-border" />
      </div>
      <div className="grid grid-cols-2 gap-3">
        {socialProviders.map((provider) => (
          <a
            key={provider}
            href={`/auth/social/${provider}${query}`}
            className={cn(buttonVariants({ variant: 'outline', size: 'lg' }), 'w-full')}
          >
            <ProviderIcon provider={provider} />
            {t(labelKeys[provider])}
          </a>
        ))}
      </div>
    </div>
  );
}
