import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { ChevronRight, KeyRound, Link2, LogOut, UserRound } from 'lucide-react';
import { Card } from '~/components/ui/card';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { authCacheHeaders } from '~/lib/supabase.server';
import { requireUser, toViewer } from '~/modules/auth/session.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'resident.me.title');
export const headers = authCacheHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request);
  return data({ viewer: toViewer(user) }, { headers });
}

export default function ResidentMePage() {
  const t = useT();
  const { viewer } = useLoaderData<typeof loader>();
  const links = [
    { to: '/me/accounts', label: t('social.accounts.menu'), icon: Link2 },
    { to: '/auth/new-password', label: t('auth.menu.changePassword'), icon: KeyRound },
    { to: '/auth/sign-out', label: t('auth.menu.signOut'), icon: LogOut },
  ];
  return (
    <div className="flex flex-col gap-4">
      <h1 className="font-semibold text-xl tracking-tight">{t('resident.me.title')}</h1>
      <Card className="flex-row items-center gap-4 px-5">
        <span
          aria-hidden
          className="grid size-12 shrink-0 place-items-center rounded-full bg-primary/10 font-semibold text-lg text-primary"
        >
          {viewer.name ? viewer.name.slice(0, 1) : <UserRound className="size-6" />}
        </span>
        <div className="flex min-w-0 flex-col">
          <p className="truncate font-medium">{viewer.name || t('auth.menu.noName')}</p>
          <p className="truncate text-muted-foreground text-sm">{viewer.maskedPhone ?? viewer.email}</p>
        </div>
      </Card>
      <Card className="gap-0 py-1">
        <ul className="divide-y">
          {links.map(({ to, label, icon: Icon }) => (
            <li key={to}>
              <Link
                to={to}
                className="flex items-center gap-3 px-5 py-3.5 text-sm transition-colors hover:bg-muted focus-visible:outline-2 focus-visible:outline-ring"
              >
                <Icon aria-hidden className="size-4 text-muted-foreground" />
                <span className="flex-1">{label}</span>
                <ChevronRight aria-hidden className="size-4 text-muted-foreground" />
              </Link>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
