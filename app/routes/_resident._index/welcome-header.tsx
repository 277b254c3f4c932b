import { MapPin } from 'lucide-react';
import { useT } from '~/i18n/use-t';

/** Greeting card; shows the signed-in resident's community, or an invitation to link one. */
export function WelcomeHeader({ communityName }: { communityName: string | null }) {
  const t = useT();
  return (
    <section className="relative overflow-hidden rounded-2xl bg-gradient-to-br from-teal-600 to-emerald-500 p-5 text-white shadow-sm">
      <div aria-hidden className="-top-10 -right-10 absolute size-36 rounded-full bg-white/10" />
      <div aria-hidden className="-bottom-12 right-10 absolute size-24 rounded-full bg-white/10" />
      <h1 className="relative font-semibold text-xl">{t('resident.home.greeting')}</h1>
      <p className="relative mt-2 flex items-start gap-1.5 text-sm text-white/90">
        <MapPin aria-hidden className="mt-0.5 size-4 shrink-0" />
        <span>{communityName ?? t('resident.home.noCommunity')}</span>
      </p>
    </section>
  );
}
