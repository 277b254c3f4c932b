import { Pin, Siren } from 'lucide-react';
import { Badge } from '~/components/ui/badge';
import { useT } from '~/i18n/use-t';
import type { NotificationPriority } from '~/modules/notifications/notifications.schema';
import type { NoticeCategory } from '../notices.schema';
import { noticeCategoryKeys } from './labels';

/** Category, pin and priority tags of a notice. */
export function NoticeTags({
  category,
  priority,
  pinned,
}: {
  category: NoticeCategory;
  priority: NotificationPriority;
  pinned: boolean;
}) {
  const t = useT();
  return (
    <span className="flex flex-wrap items-center gap-1.5">
      {pinned ? (
        <Badge variant="secondary" className="gap-1">
          <Pin aria-hidden />
          {t('notices.pinned')}
        </Badge>
      ) : null}
      {priority === 'emergency' ? (
        <Badge className="gap-1 bg-red-600 text-white">
          <Siren aria-hidden />
          {t('notifications.priority.emergency')}
        </Badge>
      ) : priority === 'important' ? (
        <Badge className="bg-amber-500 text-white">{t('notifications.priority.important')}</Badge>
      ) : null}
      <Badge variant="outline">{t(noticeCategoryKeys[category])}</Badge>
    </span>
  );
}
