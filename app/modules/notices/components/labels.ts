import type { MessageKey } from '~/i18n/zh-CN';
import type { NotificationPriority } from '~/modules/notifications/notifications.schema';
import type { NoticeAudience, NoticeCategory, NoticeStatus } from '../notices.schema';

export const noticeCategoryKeys: Record<NoticeCategory, MessageKey> = {
  general: 'notices.category.general',
  outage: 'notices.category.outage',
  activity: 'notices.category.activity',
  safety: 'notices.category.safety',
  fee: 'notices.category.fee',
};

export const noticeStatusKeys: Record<NoticeStatus, MessageKey> = {
  draft: 'notices.status.draft',
  scheduled: 'notices.status.scheduled',
  published: 'notices.status.published',
  withdrawn: 'notices.status.withdrawn',
};

export const priorityKeys: Record<NotificationPriority, MessageKey> = {
  normal: 'notifications.priority.normal',
  important: 'notifications.priority.important',
  emergency: 'notifications.priority.emergency',
};

export const audienceKeys: Record<NoticeAudience, MessageKey> = {
  community: 'notices.audience.community',
  buildings: 'notices.audience.buildings',
  units: 'notices.audience.units',
};
