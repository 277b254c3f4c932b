import { useFetcher } from '@remix-run/react';
import { Users } from 'lucide-react';
import { useEffect } from 'react';
import { Button } from '~/components/ui/button';
import { useLocale, useT } from '~/i18n/use-t';
import { formatDateTime } from '~/modules/repairs/components/format';
import { StatusBadge } from '~/modules/repairs/components/status-badge';
import type { loader as matchesLoader } from '../_resident.repairs.matches';

/** "已有人报修": open public-area tickets of the community, so the same fault is not reported twice. */
export function PublicMatches({
  communityId,
  categoryId,
}: {
  communityId: string;
  categoryId: string | null;
}) {
  const t = useT();
  const locale = useLocale();
  const matches = useFetcher<typeof matchesLoader>();
  const follow = useFetcher();
  const query = new URLSearchParams({
    community: communityId,
    ...(categoryId ? { category: categoryId } : {}),
  }).toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once per query
  useEffect(() => {
    matches.load(`/repairs/matches?${query}`);
  }, [query]);
  const items = matches.data?.matches ?? [];
  if (items.length === 0) return null;
  return (
    <section
      aria-label={t('repairs.matches.title')}
      className="flex flex-col gap-2 rounded-xl border border-amber-200 bg-amber-50 p-3"
    >
      <h2 className="font-medium text-sm">{t('repairs.matches.title')}</h2>
      <p className="text-muted-foreground text-xs">{t('repairs.matches.hint')}</p>
      <ul className="flex flex-col gap-2">
        {items.map((m) => (
          <li
            key={m.id}
            className="flex items-start justify-between gap-2 rounded-lg bg-background p-2.5 text-sm"
          >
            <div className="flex min-w-0 flex-col gap-0.5">
              <span className="flex items-center gap-2">
                <span className="truncate font-medium">{m.locationNote}</span>
                <StatusBadge status={m.status} />
              </span>
              <span className="truncate text-muted-foreground">{m.summary}</span>
              <span className="flex items-center gap-1 text-muted-foreground text-xs">
                {formatDateTime(m.createdAt, locale)} · <Users aria-hidden className="size-3" />
                {t('repairs.matches.followers', { n: m.followerCount + 1 })}
              </span>
            </div>
            <follow.Form method="post" action="/repairs/matches">
              <input type="hidden" name="intent" value="follow" />
              <input type="hidden" name="ticketId" value={m.id} />
              <input type="hidden" name="community" value={communityId} />
              <Button
                type="submit"
                size="sm"
                variant={m.following ? 'secondary' : 'outline'}
                disabled={m.following}
              >
                {m.following ? t('repairs.matches.following') : t('repairs.matches.meToo')}
              </Button>
            </follow.Form>
          </li>
        ))}
      </ul>
    </section>
  );
}
