import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useFetcher, useLoaderData } from '@remix-run/react';
import { ArrowLeft, Phone, RotateCcw, UserRound } from 'lucide-react';
import { useState } from 'react';
import { z } from 'zod';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, FormErrors, SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { pageMeta } from '~/i18n/meta';
import { useLocale, useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { authCacheHeaders } from '~/lib/supabase.server';
import { requireUser } from '~/modules/auth/session.server';
import { CategoryIcon, categoryName } from '~/modules/repairs/components/category-icon';
import { formatDate, formatDateTime, phoneLink } from '~/modules/repairs/components/format';
import { LiveIndicator } from '~/modules/repairs/components/live-indicator';
import { LocationView } from '~/modules/repairs/components/location-view';
import { MediaGallery } from '~/modules/repairs/components/media-gallery';
import { MediaUploader } from '~/modules/repairs/components/media-uploader';
import { Messages } from '~/modules/repairs/components/messages';
import { RatingInputs, RatingView } from '~/modules/repairs/components/rating';
import { StatusBadge } from '~/modules/repairs/components/status-badge';
import { StatusTimeline } from '~/modules/repairs/components/status-timeline';
import { Textarea } from '~/modules/repairs/components/textarea';
import { repairTopics, useRepairChannel } from '~/modules/repairs/components/use-repair-channel';
import { RepairError } from '~/modules/repairs/errors';
import { residentIntents } from '~/modules/repairs/repairs.schema';
import { getTicketDetail, postMessage, rateTicket, residentActions } from '~/modules/repairs/repairs.server';
import { signMedia } from '~/modules/repairs/repairs-media.server';
import {
  answerForm,
  assigneePhoto,
  invalidForm,
  type RepairActionData,
} from '~/modules/repairs/repairs-routes.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'repairs.detail.title');
export const headers = authCacheHeaders;

const REOPEN_DAYS = 7;
const params = z.object({ ticketId: z.string().uuid() });

export async function loader({ request, params: raw }: LoaderFunctionArgs) {
  const { user, headers, supabase } = await requireUser(request);
  const parsed = params.safeParse(raw);
  if (!parsed.success) throw data(null, { status: 404, headers });
  let detail: Awaited<ReturnType<typeof getTicketDetail>>;
  try {
    detail = await withUser(user.claims, (tx) => getTicketDetail(tx, parsed.data.ticketId), {
      readOnly: true,
    });
  } catch (err) {
    if (err instanceof RepairError && err.code === 'repairs.not_found')
      throw data(null, { status: 404, headers });
    throw err;
  }
  const [media, photo] = await Promise.all([
    signMedia(supabase, detail.media),
    assigneePhoto(supabase, detail.assignee),
  ]);
  return data({ ...detail, media, assigneePhotoUrl: photo, userId: user.id, now: Date.now() }, { headers });
}

export async function action({ request, params: raw }: ActionFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const { ticketId } = params.parse(raw);
  const submission = parseIntentFormData(await request.formData(), residentIntents);
  if (!submission.ok) return invalidForm(headers, submission.errors);
  return answerForm(headers, () =>
    withUser(user.claims, (tx): Promise<unknown> => {
      switch (submission.intent) {
        case 'cancel':
          return residentActions.cancel(tx, ticketId, submission.data.reason);
        case 'resubmit':
          return residentActions.resubmit(tx, ticketId, submission.data.description);
        case 'reopen':
          return residentActions.reopen(tx, ticketId, submission.data.reason);
        case 'rate':
          return rateTicket(tx, ticketId, submission.data);
        case 'message':
          return postMessage(tx, ticketId, { body: submission.data.body, media: submission.data.media });
      }
    }),
  );
}

export default function ResidentTicketPage() {
  const t = useT();
  const locale = useLocale();
  const { ticket, events, messages, media, ratings, assignee, assigneePhotoUrl, location, userId, now } =
    useLoaderData<typeof loader>();
  const live = useRepairChannel([repairTopics.ticket(ticket.id)]);
  const isReporter = ticket.actors.includes('reporter');
  const canCancel = isReporter && ['pending', 'accepted', 'dispatched', 'returned'].includes(ticket.status);
  const canRate = isReporter && ticket.status === 'completed';
  const canReopen =
    isReporter &&
    ['completed', 'rated'].includes(ticket.status) &&
    ticket.completedAt !== null &&
    now - Date.parse(ticket.completedAt) < REOPEN_DAYS * 86_400_000;
  const reportMedia = media.filter((m) => m.kind === 'report');
  const completionMedia = media.filter((m) => m.kind === 'completion');
  const showTechnician =
    assignee && ['dispatched', 'in_progress', 'paused', 'completed', 'rated'].includes(ticket.status);

  return (
    <div className="flex flex-col gap-4">
      <div className="flex items-center gap-2">
        <Button asChild variant="ghost" size="icon" aria-label={t('repairs.common.back')}>
          <Link to="/repairs">
            <ArrowLeft />
          </Link>
        </Button>
        <h1 className="flex-1 font-semibold text-lg tracking-tight">{t('repairs.detail.title')}</h1>
        <LiveIndicator state={live} />
      </div>

      <Card className="gap-3 px-4">
        <div className="flex items-start gap-3">
          <span className="grid size-10 shrink-0 place-items-center rounded-full bg-primary/10 text-primary">
            <CategoryIcon icon={ticket.category.icon} />
          </span>
          <div className="flex min-w-0 flex-1 flex-col gap-0.5">
            <div className="flex items-center gap-2">
              <span className="font-medium">{categoryName(ticket.category, locale)}</span>
              <StatusBadge status={ticket.status} />
            </div>
            <span className="text-muted-foreground text-sm">
              {t(`repairs.area.${ticket.area}`)} · {ticket.place}
            </span>
            <span className="text-muted-foreground text-xs">
              {ticket.number} · {formatDateTime(ticket.createdAt, locale)}
            </span>
          </div>
        </div>
        {ticket.statusReason && ['returned', 'paused', 'cancelled', 'pending'].includes(ticket.status) ? (
          <p role="status" className="rounded-lg bg-amber-50 px-3 py-2 text-amber-900 text-sm">
            {t(`repairs.detail.reason.${ticket.status as 'returned' | 'paused' | 'cancelled' | 'pending'}`, {
              reason: ticket.statusReason,
            })}
          </p>
        ) : null}
        {ticket.mergedIntoNumber ? (
          <p className="rounded-lg bg-muted px-3 py-2 text-sm">
            {t('repairs.detail.mergedInto', { number: ticket.mergedIntoNumber })}
          </p>
        ) : null}
        <p className="whitespace-pre-wrap text-sm">{ticket.description}</p>
        <MediaGallery media={reportMedia} />
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
          {ticket.preferredDate || ticket.preferredSlot !== 'any' ? (
            <>
              <dt className="text-muted-foreground">{t('repairs.field.preferred')}</dt>
              <dd>
                {formatDate(ticket.preferredDate, locale)} {t(`repairs.slot.${ticket.preferredSlot}`)}
              </dd>
            </>
          ) : null}
          {ticket.appointmentAt ? (
            <>
              <dt className="text-muted-foreground">{t('repairs.field.appointment')}</dt>
              <dd className="font-medium">{formatDateTime(ticket.appointmentAt, locale)}</dd>
            </>
          ) : null}
        </dl>
      </Card>

      {showTechnician ? (
        <Card className="flex-row items-center gap-3 px-4" data-testid="technician-card">
          {assigneePhotoUrl ? (
            <img src={assigneePhotoUrl} alt="" className="size-12 shrink-0 rounded-full object-cover" />
          ) : (
            <span
              aria-hidden
              className="grid size-12 shrink-0 place-items-center rounded-full bg-primary/10 font-semibold text-lg text-primary"
            >
              {assignee.name ? assignee.name.slice(0, 1) : <UserRound className="size-6" />}
            </span>
          )}
          <div className="flex min-w-0 flex-1 flex-col">
            <span className="text-muted-foreground text-xs">{t('repairs.detail.technician')}</span>
            <span className="font-medium">{assignee.name}</span>
          </div>
          {assignee.phone ? (
            <Button asChild variant="outline" size="sm">
              <a
                href={phoneLink(assignee.phone).href}
                aria-label={t('repairs.detail.call', { name: assignee.name })}
              >
                <Phone aria-hidden />
                {t('repairs.detail.callShort')}
              </a>
            </Button>
          ) : null}
        </Card>
      ) : null}

      <LocationView location={location} />

      <Card className="px-4">
        <h2 className="font-medium">{t('repairs.detail.progress')}</h2>
        <StatusTimeline ticket={ticket} events={events} />
      </Card>

      {ticket.completionNote || ticket.materials.length > 0 || completionMedia.length > 0 ? (
        <Card className="gap-2 px-4">
          <h2 className="font-medium">{t('repairs.detail.completion')}</h2>
          {ticket.completionNote ? (
            <p className="whitespace-pre-wrap text-sm">{ticket.completionNote}</p>
          ) : null}
          {ticket.materials.length > 0 ? (
            <ul className="text-muted-foreground text-sm">
              {ticket.materials.map((m, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: materials are a fixed list without ids
                <li key={i}>
                  {m.name} × {m.quantity}
                  {m.unit}
                </li>
              ))}
            </ul>
          ) : null}
          <MediaGallery media={completionMedia} />
        </Card>
      ) : null}

      {ratings.length > 0 ? (
        <Card className="gap-2 px-4">
          <h2 className="font-medium">{t('repairs.rate.yours')}</h2>
          <RatingView rating={ratings[ratings.length - 1]} />
          <MediaGallery media={media.filter((m) => m.kind === 'rating')} />
        </Card>
      ) : null}

      {canRate ? <RateForm userId={userId} /> : null}
      {ticket.status === 'returned' && isReporter ? <ResubmitForm description={ticket.description} /> : null}

      <Card className="px-4">
        <Messages
          messages={messages}
          media={media}
          userId={userId}
          canWrite={ticket.status !== 'cancelled'}
        />
      </Card>

      {canCancel ? <ReasonAction intent="cancel" optional /> : null}
      {canReopen ? <ReasonAction intent="reopen" /> : null}
    </div>
  );
}

function RateForm({ userId }: { userId: string }) {
  const t = useT();
  const fetcher = useFetcher<RepairActionData>();
  const [uploading, setUploading] = useState(false);
  return (
    <Card className="px-4">
      <fetcher.Form method="post" className="flex flex-col gap-3" aria-label={t('repairs.rate.title')}>
        <h2 className="font-medium">{t('repairs.rate.title')}</h2>
        <FormErrors errors={fetcher.data?.errors?.form} />
        <RatingInputs />
        <label htmlFor="rate-comment" className="sr-only">
          {t('repairs.rate.comment')}
        </label>
        <Textarea
          id="rate-comment"
          name="comment"
          maxLength={500}
          rows={3}
          placeholder={t('repairs.rate.commentPlaceholder')}
        />
        <MediaUploader name="media" userId={userId} maxVideos={0} onBusyChange={setUploading} />
        <SubmitButton intent="rate" pending={fetcher.state !== 'idle'} disabled={uploading}>
          {t('repairs.rate.submit')}
        </SubmitButton>
      </fetcher.Form>
    </Card>
  );
}

function ResubmitForm({ description }: { description: string }) {
  const t = useT();
  const fetcher = useFetcher<RepairActionData>();
  return (
    <Card className="px-4">
      <fetcher.Form method="post" className="flex flex-col gap-3">
        <h2 className="font-medium">{t('repairs.detail.resubmitTitle')}</h2>
        <FormErrors errors={fetcher.data?.errors?.form} />
        <Field
          label={t('repairs.field.description')}
          render={(control) => (
            <Textarea {...control} name="description" required maxLength={1000} defaultValue={description} />
          )}
        />
        <SubmitButton intent="resubmit" pending={fetcher.state !== 'idle'}>
          {t('repairs.detail.resubmit')}
        </SubmitButton>
      </fetcher.Form>
    </Card>
  );
}

/** Cancel (reason optional) or reopen (reason required), behind a disclosure so it is never pressed by accident. */
function ReasonAction({ intent, optional = false }: { intent: 'cancel' | 'reopen'; optional?: boolean }) {
  const t = useT();
  const fetcher = useFetcher<RepairActionData>();
  return (
    <details className="rounded-xl border bg-card px-4 py-3">
      <summary className="flex cursor-pointer items-center gap-2 font-medium text-sm">
        <RotateCcw aria-hidden className="size-4" />
        {t(`repairs.detail.${intent}`)}
      </summary>
      <fetcher.Form method="post" className="mt-3 flex flex-col gap-2">
        <FormErrors errors={fetcher.data?.errors?.form} />
        <Field
          label={t(optional ? 'repairs.field.reasonOptional' : 'repairs.field.reason')}
          render={(control) => (
            <Textarea {...control} name="reason" required={!optional} maxLength={500} rows={2} />
          )}
        />
        <SubmitButton
          intent={intent}
          variant={intent === 'cancel' ? 'destructive' : 'default'}
          pending={fetcher.state !== 'idle'}
        >
          {t(`repairs.detail.${intent}Confirm`)}
        </SubmitButton>
      </fetcher.Form>
    </details>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary homeHref="/repairs" />;
}
