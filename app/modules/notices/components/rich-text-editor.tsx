import { Bold, Heading3, Italic, Link2, List, ListOrdered, Quote, Underline } from 'lucide-react';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useT } from '~/i18n/use-t';
import { cn } from '~/lib/utils';

/**
 * A small rich-text editor (contentEditable + toolbar) that posts its HTML in a hidden field.
 * The server keeps only the allow-listed formatting (sanitizeNoticeHtml), whatever arrives here —
 * pasted Word/Web content included. Without JavaScript the field is a plain textarea.
 */
export function RichTextEditor({
  name,
  defaultValue,
  label,
  labelId,
}: {
  name: string;
  defaultValue: string;
  label: string;
  labelId: string;
}) {
  const t = useT();
  const editor = useRef<HTMLDivElement>(null);
  const [html, setHtml] = useState(defaultValue);
  const [enhanced, setEnhanced] = useState(false);

  useEffect(() => {
    if (editor.current) editor.current.innerHTML = defaultValue;
    setEnhanced(true);
  }, [defaultValue]);

  const exec = (command: string, value?: string) => {
    editor.current?.focus();
    document.execCommand(command, false, value);
    setHtml(editor.current?.innerHTML ?? '');
  };

  const tools: { label: string; icon: ReactNode; run: () => void }[] = [
    { label: t('notices.editor.bold'), icon: <Bold />, run: () => exec('bold') },
    { label: t('notices.editor.italic'), icon: <Italic />, run: () => exec('italic') },
    { label: t('notices.editor.underline'), icon: <Underline />, run: () => exec('underline') },
    { label: t('notices.editor.heading'), icon: <Heading3 />, run: () => exec('formatBlock', 'h3') },
    { label: t('notices.editor.bulletList'), icon: <List />, run: () => exec('insertUnorderedList') },
    { label: t('notices.editor.numberedList'), icon: <ListOrdered />, run: () => exec('insertOrderedList') },
    { label: t('notices.editor.quote'), icon: <Quote />, run: () => exec('formatBlock', 'blockquote') },
    {
      label: t('notices.editor.link'),
      icon: <Link2 />,
      run: () => {
        const url = window.prompt(t('notices.editor.linkPrompt'), 'https://');
        if (url && /^(https?:|mailto:|tel:)/i.test(url)) exec('createLink', url);
      },
    },
  ];

  if (!enhanced) {
    return (
      <textarea
        name={name}
        defaultValue={defaultValue}
        aria-labelledby={labelId}
        rows={10}
        className="w-full rounded-md border bg-background px-3 py-2 text-sm"
      />
    );
  }
  return (
    <div className="rounded-md border focus-within:ring-2 focus-within:ring-ring/50">
      <div
        role="toolbar"
        aria-label={t('notices.editor.toolbar')}
        className="flex flex-wrap gap-0.5 border-b p-1"
      >
        {tools.map((tool) => (
          <button
            key={tool.label}
            type="button"
            title={tool.label}
            aria-label={tool.label}
            onMouseDown={(e) => e.preventDefault()}
            onClick={tool.run}
            className="grid size-8 place-items-center rounded text-muted-foreground hover:bg-muted hover:text-foreground [&>svg]:size-4"
          >
            {tool.icon}
          </button>
        ))}
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a rich-text editing surface has no native element */}
      <div
        ref={editor}
        role="textbox"
        tabIndex={0}
        aria-multiline="true"
        aria-labelledby={labelId}
        aria-label={label}
        contentEditable
        suppressContentEditableWarning
        onInput={(e) => setHtml(e.currentTarget.innerHTML)}
        className={cn(
          'min-h-48 px-3 py-2 text-sm leading-relaxed outline-none',
          '[&_blockquote]:border-l-4 [&_blockquote]:pl-3 [&_h3]:font-semibold [&_ol]:list-decimal [&_ol]:pl-5 [&_ul]:list-disc [&_ul]:pl-5 [&_a]:text-primary [&_a]:underline',
        )}
      />
      <input type="hidden" name={name} value={html} />
    </div>
  );
}
