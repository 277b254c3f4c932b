import { CircleAlert, ImagePlus, LoaderCircle, RotateCw, Video, X } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { Upload } from 'tus-js-client';
import { Button } from '~/components/ui/button';
import { useT } from '~/i18n/use-t';
import type { MessageKey } from '~/i18n/zh-CN';
import { getPublicEnv } from '~/lib/public-env';
import { getSupabaseBrowserClient } from '~/lib/supabase.client';
import { cn } from '~/lib/utils';
import { MEDIA_BUCKET, MEDIA_LIMITS } from '../repairs.schema';

type Item = {
  key: string;
  kind: 'image' | 'video';
  preview: string;
  path: string;
  state: 'working' | 'done' | 'error';
  progress: number;
  error?: MessageKey;
  errorVars?: Record<string, string | number>;
  upload?: Upload;
  blob?: Blob;
};

const EXT: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/webm': 'webm',
};
const MB = 1024 * 1024;

/** Shrinks a photo to at most 1600 px on its longest side and re-encodes it as JPEG (OWASP: re-encode images). */
export async function compressImage(file: File): Promise<Blob> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, MEDIA_LIMITS.imageMaxSide / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('canvas 2d context unavailable');
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('image encoding failed'))),
      'image/jpeg',
      0.82,
    ),
  );
}

/** The message for a failed TUS upload, from the server's answer. */
function tusErrorKey(err: unknown): MessageKey {
  const status = (err as { originalResponse?: { getStatus(): number } | null }).originalResponse?.getStatus();
  if (status === 413) return 'repairs.media.tooLarge';
  if (status === 415 || status === 400) return 'repairs.media.wrongType';
  if (status === 401 || status === 403) return 'repairs.error.forbidden';
  return 'repairs.media.failed';
}

/**
 * Photos (compressed in the browser, plain upload) and videos (resumable TUS upload with
 * progress and retry) into the private bucket, under the user's own folder. The form gets the
 * object paths of finished uploads in a hidden field; the server attaches them to the ticket.
 */
export function MediaUploader({
  name,
  userId,
  maxImages = MEDIA_LIMITS.maxImages,
  maxVideos = MEDIA_LIMITS.maxVideos,
  onBusyChange,
  resetKey,
}: {
  name: string;
  userId: string;
  maxImages?: number;
  maxVideos?: number;
  onBusyChange?: (busy: boolean) => void;
  /** Changing it clears the list (after the form was submitted). */
  resetKey?: unknown;
}) {
  const t = useT();
  const [items, setItems] = useState<Item[]>([]);
  const [notice, setNotice] = useState<{ key: MessageKey; vars?: Record<string, string | number> } | null>(
    null,
  );
  const imageInput = useRef<HTMLInputElement>(null);
  const videoInput = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const fileOf = useRef(new Map<string, File>());

  const patch = (key: string, change: Partial<Item>) =>
    setItems((list) => list.map((item) => (item.key === key ? { ...item, ...change } : item)));

  const busy = items.some((i) => i.state === 'working');
  useEffect(() => onBusyChange?.(busy), [busy, onBusyChange]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: resetKey is the trigger
  useEffect(() => {
    for (const item of itemsRef.current) URL.revokeObjectURL(item.preview);
    setItems([]);
    setNotice(null);
  }, [resetKey]);
  useEffect(
    () => () => {
      for (const item of itemsRef.current) {
        item.upload?.abort();
        URL.revokeObjectURL(item.preview);
      }
    },
    [],
  );

  async function uploadImage(item: Item, file: File) {
    try {
      const blob = item.blob ?? (await compressImage(file));
      patch(item.key, { blob, progress: 50 });
      const { error } = await getSupabaseBrowserClient()
        .storage.from(MEDIA_BUCKET)
        .upload(item.path, blob, { contentType: 'image/jpeg', upsert: false });
      if (error) throw error;
      patch(item.key, { state: 'done', progress: 100 });
    } catch (err) {
      const status = Number((err as { statusCode?: string | number }).statusCode);
      patch(item.key, {
        state: 'error',
        error:
          status === 413
            ? 'repairs.media.tooLarge'
            : status === 415
              ? 'repairs.media.wrongType'
              : 'repairs.media.failed',
      });
    }
  }

  async function uploadVideo(item: Item, file: File) {
    const supabase = getSupabaseBrowserClient();
    const { data } = await supabase.auth.getSession();
    const { SUPABASE_URL, SUPABASE_ANON_KEY } = getPublicEnv();
    const upload = new Upload(file, {
      endpoint: `${SUPABASE_URL}/storage/v1/upload/resumable`,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      headers: {
        authorization: `Bearer ${data.session?.access_token ?? ''}`,
        apikey: SUPABASE_ANON_KEY,
        'x-upsert': 'false',
      },
      uploadDataDuringCreation: true,
      removeFingerprintOnSuccess: true,
      // Supabase Storage wants 6 MB chunks for resumable uploads.
      chunkSize: 6 * MB,
      metadata: {
        bucketName: MEDIA_BUCKET,
        objectName: item.path,
        contentType: file.type,
        cacheControl: '3600',
      },
      onProgress: (sent, total) => patch(item.key, { progress: Math.floor((sent / total) * 100) }),
      onSuccess: () => patch(item.key, { state: 'done', progress: 100 }),
      onError: (err) => patch(item.key, { state: 'error', error: tusErrorKey(err) }),
    });
    patch(item.key, { upload });
    const previous = await upload.findPreviousUploads();
    if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
    upload.start();
  }

  function add(files: FileList | null, kind: 'image' | 'video') {
    if (!files) return;
    setNotice(null);
    const current = itemsRef.current.filter((i) => i.kind === kind).length;
    const room = (kind === 'image' ? maxImages : maxVideos) - current;
    const list = [...files];
    if (list.length > room) {
      setNotice({ key: 'repairs.media.limit' });
    }
    for (const file of list.slice(0, Math.max(0, room))) {
      const allowed: readonly string[] = kind === 'image' ? MEDIA_LIMITS.imageTypes : MEDIA_LIMITS.videoTypes;
      if (!allowed.includes(file.type)) {
        setNotice({ key: 'repairs.media.wrongTypeNamed', vars: { name: file.name } });
        continue;
      }
      if (kind === 'video' && file.size > MEDIA_LIMITS.videoMaxBytes) {
        setNotice({
          key: 'repairs.media.videoTooLarge',
          vars: { name: file.name, max: MEDIA_LIMITS.videoMaxBytes / MB },
        });
        continue;
      }
      const ext = kind === 'image' ? 'jpg' : EXT[file.type];
      const item: Item = {
        key: crypto.randomUUID(),
        kind,
        preview: URL.createObjectURL(file),
        path: `${userId}/${crypto.randomUUID()}.${ext}`,
        state: 'working',
        progress: 0,
      };
      setItems((l) => [...l, item]);
      if (kind === 'image') void uploadImage(item, file);
      else
        void uploadVideo(item, file).catch(() =>
          patch(item.key, { state: 'error', error: 'repairs.media.failed' }),
        );
      // Keep the file for a retry.
      fileOf.current.set(item.key, file);
    }
  }

  function retry(item: Item) {
    patch(item.key, { state: 'working', error: undefined });
    const file = fileOf.current.get(item.key);
    if (item.kind === 'video' && item.upload) item.upload.start();
    else if (file) void uploadImage(item, file);
  }

  function remove(item: Item) {
    item.upload?.abort(true).catch(() => undefined);
    if (item.state === 'done') void getSupabaseBrowserClient().storage.from(MEDIA_BUCKET).remove([item.path]);
    URL.revokeObjectURL(item.preview);
    fileOf.current.delete(item.key);
    setItems((l) => l.filter((i) => i.key !== item.key));
  }

  const images = items.filter((i) => i.kind === 'image').length;
  const videos = items.filter((i) => i.kind === 'video').length;
  const done = items.filter((i) => i.state === 'done').map((i) => i.path);

  return (
    <div className="flex flex-col gap-2">
      <input type="hidden" name={name} value={JSON.stringify(done)} />
      {items.length > 0 ? (
        <ul className="grid grid-cols-3 gap-2">
          {items.map((item) => (
            <li
              key={item.key}
              data-upload-state={item.state}
              className="relative aspect-square overflow-hidden rounded-lg border bg-muted"
            >
              {item.kind === 'image' ? (
                <img src={item.preview} alt="" className="size-full object-cover" />
              ) : (
                <video src={item.preview} muted playsInline className="size-full object-cover" />
              )}
              {item.state === 'working' ? (
                <div className="absolute inset-x-0 bottom-0 bg-black/55 px-1.5 py-1 text-white text-xs">
                  <div className="flex items-center gap-1">
                    <LoaderCircle aria-hidden className="size-3 animate-spin" />
                    {item.progress}%
                  </div>
                  <div
                    role="progressbar"
                    aria-valuenow={item.progress}
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-label={t('repairs.media.uploading')}
                    className="mt-1 h-1 rounded bg-white/30"
                  >
                    <div className="h-1 rounded bg-white" style={{ width: `${item.progress}%` }} />
                  </div>
                </div>
              ) : null}
              {item.state === 'error' ? (
                <div className="absolute inset-0 flex flex-col items-center justify-center gap-1 bg-black/60 p-1 text-center text-white text-xs">
                  <span role="alert">{item.error ? t(item.error) : t('repairs.media.failed')}</span>
                  <Button
                    type="button"
                    size="sm"
                    variant="secondary"
                    className="h-7"
                    onClick={() => retry(item)}
                  >
                    <RotateCw aria-hidden />
                    {t('repairs.media.retry')}
                  </Button>
                </div>
              ) : null}
              <button
                type="button"
                onClick={() => remove(item)}
                aria-label={t('repairs.media.remove')}
                className="absolute top-1 right-1 grid size-6 place-items-center rounded-full bg-black/60 text-white"
              >
                <X aria-hidden className="size-3.5" />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="flex flex-wrap gap-2">
        {maxImages > 0 ? (
          <>
            <input
              ref={imageInput}
              id={`${inputId}-images`}
              type="file"
              accept={MEDIA_LIMITS.imageTypes.join(',')}
              multiple
              className="sr-only"
              aria-label={t('repairs.media.addPhoto')}
              onChange={(e) => {
                add(e.currentTarget.files, 'image');
                e.currentTarget.value = '';
              }}
            />
            <Button
              type="button"
              variant="outline"
              size="sm"
              disabled={images >= maxImages}
              onClick={() => imageInput.current?.click()}
            >
              <ImagePlus aria-hidden />
              {t('repairs.media.addPhoto')} ({images}/{maxImages})
            </Button>
          </>
        ) : null}
        {maxVideos > 0 ? (
          <>
            <input
              ref={videoInput}
              id={`${inputId}-videos`}
              type="file"
              accept={MEDIA_LIMITS.videoTypes.join(',')}
              multiple
              className="sr-only"
              aria-label={t('repairs.media.addVideo')}
              onChange={(e) => {
                add(e.currentTarget.files, 'video');
                e.currentTarget.value = '';
              }}
            />
            <Button
              type="button"
              variant="outline"
              size="sm"
              disabled={videos >= maxVideos}
              onClick={() => videoInput.current?.click()}
            >
              <Video aria-hidden />
              {t('repairs.media.addVideo')} ({videos}/{maxVideos})
            </Button>
          </>
        ) : null}
      </div>
      {notice ? (
        <p role="alert" className={cn('flex items-center gap-1.5 text-destructive text-sm')}>
          <CircleAlert aria-hidden className="size-4 shrink-0" />
          {t(notice.key, notice.vars)}
        </p>
      ) : null}
    </div>
  );
}
