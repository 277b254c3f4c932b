import { Link } from '@remix-run/react';
import { useT } from '~/i18n/use-t';
import type { MessageKey } from '~/i18n/zh-CN';
import { cn } from '~/lib/utils';

/** Sub-navigation of an office section (员工 | 权限模板, 名录 | 认证审核). */
export function OfficeTabs({
  label,
  tabs,
  current,
}: {
  label: string;
  tabs: { to: string; key: MessageKey; badge?: number }[];
  current: string;
}) {
  const t = useT();
  return (
    <nav aria-label={label} className="flex gap-1 border-b">
      {tabs.map((tab) => (
        <Link
          key={tab.to}
          to={tab.to}
          aria-current={current === tab.to ? 'page' : undefined}
          className={cn(
            '-mb-px border-b-2 px-3 py-2 text-sm transition-colors',
            current === tab.to
              ? 'border-primary font-medium text-foreground'
              : 'border-transparent text-muted-foreground hover:text-foreground',
          )}
        >
          {t(tab.key)}
          {tab.badge ? (
            <span className="ml-1.5 rounded-full bg-destructive px-1.5 py-0.5 text-[10px] text-white tabular-nums">
              {tab.badge}
            </span>
          ) : null}
        </Link>
      ))}
    </nav>
  );
}
