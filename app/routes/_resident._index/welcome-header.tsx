import { Link } from '@remix-run/react';
import { LogIn, MapPin } from 'lucide-react';
import { useT } from '~/i18n/use-t';

/**
 * Greeting card. Signed in: the resident's name and community (or an invitation to link one).
 * Signed out: what an account offers and the way in.
 */
export function WelcomeHeader({
  name,
  communityName,
}: {
  name: string | null;
  communityName: string | null;
}) {
  const t = useT();
  const signedIn = name !== null;
  return (
    <section className="relative overflow-hidden rounded-2xl bg-gradient-to-br from-teal-600 to-emerald-500 p-5 text-white shadow-sm">
      <div aria-hidden className="-top-10 -right-10 absolute size-36 rounded-full bg-white/10" />
      <div aria-hidden className="-bottom-12 right-10 absolute size-24 rounded-full bg-white/10" />
      <h1 className="relative font-semibold text-xl">
        {name ? t('resident.home.greetingNamed', { name }) : t('resident.home.greeting')}
      </h1>
      {signedIn ? (
        <p className="relative mt-2 flex items-start gap-1.5 text-sm text-white/90">
          <MapPin aria-hidden className="mt-0.5 size-4 shrink-0" />
          <span>{communityName ?? t('resident.home.noCommunity')}</span>
        </p>
      ) : (
        <>
          <p className="relative mt-2 text-sm text-white/90">{t('resident.home.signInPrompt')}</p>
          <Link
            to="/auth/sign-in"
            className="relative mt-4 inline-flex items-center gap-2 rounded-full bg-white px-4 py-2 font-medium text-sm text-teal-700 shadow-sm transition-colors hover:bg-teal-50 focus-visible:outline-2 focus-visible:outline-white focus-visible:outline-offset-2"
          >
            <LogIn aria-hidden className="size-4" />
            {t('resident.home.signInCta')}
          </Link>
        </>
      )}
    </section>
  );
}
