import type { MetaFunction } from '@remix-run/node';
import { Megaphone, ReceiptText, Wrench } from 'lucide-react';
import { EmptyState } from '~/components/empty-state';
import { Card, CardContent, CardHeader, CardTitle } from '~/components/ui/card';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import type { MessageKey } from '~/i18n/zh-CN';
import { useViewer } from '~/modules/auth/use-viewer';
import { WelcomeHeader } from './welcome-header';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'resident.nav.home');

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
  return (
    <div className="flex flex-col gap-4">
      {/* Linking a home to the account comes with the residents module; until then no community. */}
      <WelcomeHeader name={viewer ? viewer.name : null} communityName={null} />
      {sections.map(({ titleKey, emptyKey, emptyBodyKey, icon }) => (
        <Card key={titleKey} className="gap-2 py-4">
          <CardHeader>
            <CardTitle className="text-base">{t(titleKey)}</CardTitle>
          </CardHeader>
          <CardContent>
            <EmptyState icon={icon} title={t(emptyKey)} body={t(emptyBodyKey)} className="py-3" />
          </CardContent>
        </Card>
      ))}
    </div>
  );
}
