import { Construction } from 'lucide-react';
import { EmptyState } from '~/components/empty-state';
import { Card } from '~/components/ui/card';
import { useT } from '~/i18n/use-t';
import type { MessageKey } from '~/i18n/zh-CN';

/** A page whose feature is not built yet: its heading plus an honest "coming soon" notice. */
export function ComingSoonPage({ titleKey }: { titleKey: MessageKey }) {
  const t = useT();
  const title = t(titleKey);
  return (
    <div className="flex flex-col gap-4">
      <h1 className="font-semibold text-xl tracking-tight">{title}</h1>
      <Card className="border-dashed shadow-none">
        <EmptyState
          icon={Construction}
          title={t('common.comingSoon.title')}
          body={t('common.comingSoon.body', { feature: title })}
          className="py-10"
        />
      </Card>
    </div>
  );
}
