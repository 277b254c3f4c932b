import { Link } from '@remix-run/react';
import { Siren, X } from 'lucide-react';
import { useState } from 'react';
import { useT } from '~/i18n/use-t';
import { type LiveNotification, useUserNotifications } from '../use-user-notifications';

/**
 * Keeps the page live for the signed-in user (badge, board and inbox revalidate when something
 * arrives) and shows a banner when an emergency arrives while the app is open.
 */
export function LiveNotifications({ userId }: { userId: string | null | undefined }) {
  const t = useT();
  const [emergency, setEmergency] = useState<LiveNotification | null>(null);
  useUserNotifications(userId, (n) => {
    if (n.priority === 'emergency') setEmergency(n);
  });
  if (!emergency) return null;
  return (
    <div
      role="alert"
      className="fixed inset-x-0 top-0 z-50 mx-auto flex max-w-xl items-start gap-3 rounded-b-lg border border-red-700 bg-red-600 px-4 py-3 text-white shadow-lg"
    >
      <Siren aria-hidden className="mt-0.5 size-5 shrink-0 animate-pulse" />
      <div className="flex min-w-0 flex-1 flex-col gap-1">
        <p className="font-semibold text-sm">{t('notifications.banner.emergency')}</p>
        <p className="break-words text-sm">{emergency.title}</p>
        {emergency.link ? (
          <Link
            to={emergency.link}
            onClick={() => setEmergency(null)}
            className="w-fit rounded font-medium text-sm underline underline-offset-2 focus-visible:outline-2 focus-visible:outline-white"
          >
            {t('notifications.banner.open')}
          </Link>
        ) : null}
      </div>
      <button
        type="button"
        onClick={() => setEmergency(null)}
        aria-label={t('notifications.banner.dismiss')}
        className="rounded p-1 hover:bg-white/15 focus-visible:outline-2 focus-visible:outline-white"
      >
        <X aria-hidden className="size-4" />
      </button>
    </div>
  );
}
