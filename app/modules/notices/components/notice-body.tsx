import { FileText } from 'lucide-react';
import { useT } from '~/i18n/use-t';
import type { NoticeAttachment } from '../notices.server';

/** A notice's body (HTML sanitized on the server by sanitizeNoticeHtml) and its files. */
export function NoticeBody({
  html,
  attachments,
}: {
  html: string;
  attachments: (NoticeAttachment & { url: string | null })[];
}) {
  const t = useT();
  const images = attachments.filter((a) => a.kind === 'image' && a.url);
  const files = attachments.filter((a) => a.kind === 'file');
  return (
    <div className="flex flex-col gap-4">
      <div
        className="notice-body flex flex-col gap-3 break-words text-sm leading-relaxed [&_a]:text-primary [&_a]:underline [&_blockquote]:border-l-4 [&_blockquote]:pl-3 [&_blockquote]:text-muted-foreground [&_h2]:font-semibold [&_h2]:text-lg [&_h3]:font-semibold [&_h3]:text-base [&_h4]:font-medium [&_ol]:list-decimal [&_ol]:pl-5 [&_ul]:list-disc [&_ul]:pl-5"
        // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized by sanitizeNoticeHtml (strict allow-list) when loaded
        dangerouslySetInnerHTML={{ __html: html }}
      />
      {images.length ? (
        <div className="grid grid-cols-2 gap-2">
          {images.map((img) => (
            <a key={img.id} href={img.url ?? undefined} target="_blank" rel="noreferrer">
              <img
                src={img.url ?? undefined}
                alt={img.fileName}
                className="aspect-[4/3] w-full rounded-md border object-cover"
                loading="lazy"
              />
            </a>
          ))}
        </div>
      ) : null}
      {files.length ? (
        <ul className="flex flex-col gap-1.5" aria-label={t('notices.attachments')}>
          {files.map((f) => (
            <li key={f.id}>
              <a
                href={f.url ?? undefined}
                download={f.fileName}
                className="flex items-center gap-2 rounded-md border px-3 py-2 text-sm hover:bg-muted"
              >
                <FileText aria-hidden className="size-4 text-muted-foreground" />
                <span className="truncate">{f.fileName}</span>
                <span className="ml-auto shrink-0 text-muted-foreground text-xs">
                  {Math.ceil(f.size / 1024)} KB
                </span>
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
