import { useFetcher } from '@remix-run/react';
import { Lock, Send } from 'lucide-react';
import { useEffect, useState } from 'react';
import { FormErrors, SubmitButton } from '~/components/forms';
import { useLocale, useT } from '~/i18n/use-t';
import type { FormErrors as FormErrorsData } from '~/lib/form-errors';
import { cn } from '~/lib/utils';
import type { MediaDTO, MessageDTO } from '../repairs.server';
import { formatDateTime } from './format';
import { MediaGallery } from './media-gallery';
import { MediaUploader } from './media-uploader';
import { Textarea } from './textarea';

/** The conversation inside a ticket, and a form to write (optionally with photos, or as a staff-only note). */
export function Messages({
  messages,
  media,
  userId,
  canWrite,
  allowInternal = false,
}: {
  messages: MessageDTO[];
  media: MediaDTO[];
  userId: string;
  canWrite: boolean;
  allowInternal?: boolean;
}) {
  const t = useT();
  const locale = useLocale();
  const fetcher = useFetcher<{ ok?: boolean; errors?: FormErrorsData }>();
  const [uploading, setUploading] = useState(false);
  const [sent, setSent] = useState(0);
  const busy = fetcher.state !== 'idle';
  useEffect(() => {
    if (fetcher.state === 'idle' && fetcher.data?.ok) setSent((n) => n + 1);
  }, [fetcher.state, fetcher.data]);

  return (
    <section aria-label={t('repairs.message.title')} className="flex flex-col gap-3">
      <h2 className="font-medium">{t('repairs.message.title')}</h2>
      {messages.length === 0 ? (
        <p className="text-muted-foreground text-sm">{t('repairs.message.empty')}</p>
      ) : null}
      <ul className="flex flex-col gap-2">
        {messages.map((m) => (
          <li
            key={m.id}
            className={cn(
              'flex max-w-[85%] flex-col gap-1 rounded-xl px-3 py-2 text-sm',
              m.mine ? 'self-end bg-primary/10' : 'self-start bg-muted',
              m.internal && 'border border-amber-300 border-dashed bg-amber-50',
            )}
          >
            <span className="flex items-center gap-1 text-muted-foreground text-xs">
              {m.internal ? <Lock aria-hidden className="size-3" /> : null}
              {m.mine
                ? t('repairs.message.you')
                : m.authorName || t(m.fromStaff ? 'repairs.message.staff' : 'repairs.message.resident')}
              {m.internal ? ` · ${t('repairs.message.internal')}` : null}
              {' · '}
              <time dateTime={m.createdAt}>{formatDateTime(m.createdAt, locale)}</time>
            </span>
            <p className="whitespace-pre-wrap break-words">{m.body}</p>
            <MediaGallery media={media.filter((x) => x.messageId === m.id)} />
          </li>
        ))}
      </ul>
      {canWrite ? (
        <fetcher.Form method="post" key={sent} className="flex flex-col gap-2">
          <FormErrors errors={fetcher.data?.errors?.form} />
          <label htmlFor="message-body" className="sr-only">
            {t('repairs.message.placeholder')}
          </label>
          <Textarea
            id="message-body"
            name="body"
            required
            maxLength={1000}
            rows={2}
            placeholder={t('repairs.message.placeholder')}
          />
          <MediaUploader
            name="media"
            userId={userId}
            maxVideos={0}
            onBusyChange={setUploading}
            resetKey={sent}
          />
          <div className="flex flex-wrap items-center justify-end gap-2">
            {allowInternal ? (
              <SubmitButton
                intent="note"
                variant="outline"
                pending={busy && fetcher.formData?.get('intent') === 'note'}
                disabled={uploading}
              >
                <Lock aria-hidden />
                {t('repairs.message.addNote')}
              </SubmitButton>
            ) : null}
            <SubmitButton
              intent="message"
              pending={busy && fetcher.formData?.get('intent') === 'message'}
              disabled={uploading}
            >
              <Send aria-hidden />
              {t('repairs.message.send')}
            </SubmitButton>
          </div>
        </fetcher.Form>
      ) : null}
    </section>
  );
}
