import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { useT } from '~/i18n/use-t';
import { cn } from '~/lib/utils';
import type { handleInboxAction, loadInboxPage } from '../inbox.server';
import { InboxList } from './inbox-list';
import { PreferencesForm } from './preferences-form';
import { PushToggle } from './push-toggle';

type LoaderData = Awaited<ReturnType<typeof loadInboxPage>>['data'];
type ActionData = Extract<Awaited<ReturnType<typeof handleInboxAction>>, { data: unknown }>['data'];

/** The notification center page (inbox + settings tabs), the same on every surface. */
export function InboxPage() {
  const t = useT();
  const page = useLoaderData() as unknown as LoaderData;
  const action = useActionData() as ActionData | undefined;
  const tabs = [
    { id: 'inbox', to: '?', label: t('notifications.tab.inbox') },
    { id: 'settings', to: '?tab=settings', label: t('notifications.tab.settings') },
  ] as const;
  return (
    <div className="flex flex-col gap-4">
      <h1 className="font-semibold text-xl tracking-tight">{t('notifications.inbox.title')}</h1>
      <nav aria-label={t('notifications.tab.label')} className="flex gap-1 rounded-lg bg-muted p-1 text-sm">
        {tabs.map((tab) => (
          <Link
            key={tab.id}
            to={tab.to}
            aria-current={page.tab === tab.id ? 'page' : undefined}
            className={cn(
              'flex-1 rounded-md px-3 py-1.5 text-center transition-colors',
              page.tab === tab.id
                ? 'bg-background font-medium shadow-sm'
                : 'text-muted-foreground hover:text-foreground',
            )}
          >
            {tab.label}
          </Link>
        ))}
      </nav>
      {page.tab === 'settings' && page.preferences ? (
        <>
          <PushToggle vapidPublicKey={page.vapidPublicKey} />
          {action?.ok ? (
            <p role="status" className="text-primary text-sm">
              {t('notifications.prefs.saved')}
            </p>
          ) : null}
          <PreferencesForm preferences={page.preferences} errors={action?.errors} />
        </>
      ) : (
        <InboxList items={page.inbox.items} unread={page.inbox.unread} nextCursor={page.inbox.nextCursor} />
      )}
    </div>
  );
}
