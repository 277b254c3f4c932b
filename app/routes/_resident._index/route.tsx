import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { Megaphone, ReceiptText, Wrench } from 'lucide-react';
import { EmptyState } from '~/components/empty-state';
import { Card, CardContent, CardHeader, CardTitle } from '~/components/ui/card';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import type { MessageKey } from '~/i18n/zh-CN';
import { withUser } from '~/lib/db.server';
import { authCacheHeaders } from '~/lib/supabase.server';
import { getOptionalUser } from '~/modules/auth/session.server';
import { useViewer } from '~/modules/auth/use-viewer';
import { NoticeBoard } from '~/modules/notices/components/notice-board';
import { listNoticesForResident } from '~/modules/notices/notices.server';
import { WelcomeHeader } from './welcome-header';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'resident.nav.home');
export const headers = authCacheHeaders;

/** The notice board (公告栏) for a signed-in resident: pinned first, unread marked. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await getOptionalUser(request);
  const notices = user
    ? await withUser(user.claims, (tx) => listNoticesForResident(tx, { limit: 5 }), { readOnly: true })
    : null;
  return data({ notices }, { headers });
}

const sections: {
  titleKey: MessageKey;
  emptyKey: MessageKey;
  emptyBodyKey: MessageKey;
  icon: typeof Megaphone;
}[] = [
  {
    titleKey: 'resident.home.notices',
    emptyKey: 'resident.home.notices.empty',
    emptyBodyKey: 'resident.home.notices.emptyBody',
    icon: Megaphone,
  },
  {
    titleKey: 'resident.home.bills',
    emptyKey: 'resident.home.bills.empty',
    emptyBodyKey: 'resident.home.bills.emptyBody',
    icon: ReceiptText,
  },
  {
    titleKey: 'resident.home.repairs',
    emptyKey: 'resident.home.repairs.empty',
    emptyBodyKey: 'resident.home.repairs.emptyBody',
    icon: Wrench,
  },
];

export default function ResidentHome() {
  const t = useT();
  const viewer = useViewer();
  const { notices } = useLoaderData<typeof loader>();
  return (
    <div className="flex flex-col gap-4">
      {/* Linking a home to the account comes with the residents module; until then no community. */}
      <WelcomeHeader name={viewer ? viewer.name : null} communityName={null} />
      {sections.map(({ titleKey, emptyKey, emptyBodyKey, icon }) => (
        <Card key={titleKey} className="gap-2 py-4">
          <CardHeader className="flex-row items-center justify-between">
            <CardTitle className="text-base">{t(titleKey)}</CardTitle>
            {titleKey === 'resident.home.notices' && notices ? (
              <Link to="/notices" className="text-primary text-sm hover:underline">
                {t('notices.board.all')}
              </Link>
            ) : null}
          </CardHeader>
          <CardContent>
            {titleKey === 'resident.home.notices' && notices ? (
              <NoticeBoard notices={notices} compact />
            ) : (
              <EmptyState icon={icon} title={t(emptyKey)} body={t(emptyBodyKey)} className="py-3" />
            )}
          </CardContent>
        </Card>
      ))}
    </div>
  );
}
