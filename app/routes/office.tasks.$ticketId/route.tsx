import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useFetcher, useLoaderData } from '@remix-run/react';
import { ArrowLeft, MapPinCheck, Pause, Phone, Play, Wrench } from 'lucide-react';
import { useState } from 'react';
import { z } from 'zod';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, FormErrors, SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { Label } from '~/components/ui/label';
import { pageMeta } from '~/i18n/meta';
import { useLocale, useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { CategoryIcon, categoryName } from '~/modules/repairs/components/category-icon';
import {
  formatDate,
  formatDateTime,
  fromLocalInput,
  phoneLink,
  toLocalInput,
} from '~/modules/repairs/components/format';
import { LiveIndicator } from '~/modules/repairs/components/live-indicator';
import { LocationSharer } from '~/modules/repairs/components/location-sharer';
import { MediaGallery } from '~/modules/repairs/components/media-gallery';
import { MediaUploader } from '~/modules/repairs/components/media-uploader';
import { Messages } from '~/modules/repairs/components/messages';
import { StatusBadge } from '~/modules/repairs/components/status-badge';
import { StatusTimeline } from '~/modules/repairs/components/status-timeline';
import { Textarea } from '~/modules/repairs/components/textarea';
import { repairTopics, useRepairChannel } from '~/modules/repairs/components/use-repair-channel';
import { RepairError } from '~/modules/repairs/errors';
import { parseMaterials, taskIntents } from '~/modules/repairs/repairs.schema';
import { getTicketDetail, postMessage } from '~/modules/repairs/repairs.server';
import { signMedia } from '~/modules/repairs/repairs-media.server';
import { workActions } from '~/modules/repairs/repairs-office.server';
import {
  answerForm,
  invalidForm,
  type RepairActionData,
  requireRepairScope,
} from '~/modules/repairs/repairs-routes.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'repairs.tasks.title');

const params = z.object({ ticketId: z.string().uuid() });

export async function loader({ request, params: raw }: LoaderFunctionArgs) {
  const { user, headers, supabase } = await requireRepairScope(request);
  const parsed = params.safeParse(raw);
  if (!parsed.success) throw data(null, { status: 404, headers });
  const detail = await withUser(user.claims, (tx) => getTicketDetail(tx, parsed.data.ticketId), {
    readOnly: true,
  }).catch((err) => {
    if (err instanceof RepairError && err.code === 'repairs.not_found')
      throw data(null, { status: 404, headers });
    throw err;
  });
  return data({ ...detail, media: await signMedia(supabase, detail.media), userId: user.id }, { headers });
}

export async function action({ request, params: raw }: ActionFunctionArgs) {
  const { user, headers } = await requireRepairScope(request);
  const { ticketId: id } = params.parse(raw);
  const submission = parseIntentFormData(await request.formData(), taskIntents);
  if (!submission.ok) return invalidForm(headers, submission.errors);
  const s = submission;
  return answerForm(headers, () =>
    withUser(user.claims, (tx): Promise<unknown> => {
      switch (s.intent) {
        case 'arrive':
          return workActions.arrive(tx, id);
        case 'start':
          return workActions.start(tx, id);
        case 'pause':
          return workActions.pause(tx, id, s.data.reason);
        case 'resume':
          return workActions.resume(tx, id);
        case 'decline':
          return workActions.decline(tx, id, s.data.reason);
        case 'appointment':
          return workActions.appointment(tx, id, fromLocalInput(s.data.appointmentAt));
        case 'complete':
          return workActions.complete(tx, id, {
            note: s.data.note,
            materials: parseMaterials(s.data.materials),
            media: s.data.media,
          });
        case 'message':
          return postMessage(tx, id, { body: s.data.body, media: s.data.media });
        case 'location':
          return workActions.shareLocation(tx, id, s.data);
        case 'stopSharing':
          return workActions.stopSharing(tx, id);
      }
    }),
  );
}

export default function TaskPage() {
  const t = useT();
  const locale = useLocale();
  const { ticket, events, messages, media, location, userId } = useLoaderData<typeof loader>();
  const live = useRepairChannel([repairTopics.ticket(ticket.id)]);
  const mine = ticket.actors.includes('assignee');
  const onTheWay = mine && ticket.status === 'dispatched' && !ticket.arrivedAt;

  return (
    <div className="mx-auto flex w-full max-w-md flex-col gap-4">
      <div className="flex items-center gap-2">
        <Button asChild variant="ghost" size="icon" aria-label={t('repairs.common.back')}>
          <Link to="/office/tasks">
            <ArrowLeft />
          </Link>
        </Button>
        <h1 className="min-w-0 flex-1 truncate font-semibold text-base">{ticket.number}</h1>
        <StatusBadge status={ticket.status} />
        <LiveIndicator state={live} />
      </div>

      <Card className="gap-3 px-4">
        <div className="flex items-center gap-2">
          <CategoryIcon icon={ticket.category.icon} className="text-primary" />
          <span className="font-medium">{categoryName(ticket.category, locale)}</span>
          <span className="text-muted-foreground text-sm">
            {ticket.communityName} · {ticket.place}
          </span>
        </div>
        <p className="whitespace-pre-wrap text-sm">{ticket.description}</p>
        <MediaGallery media={media.filter((m) => m.kind === 'report')} />
        <div className="flex items-center justify-between gap-2 text-sm">
          <span>
            {ticket.contactName ?? '—'}
            <span className="block text-muted-foreground text-xs">
              {ticket.appointmentAt
                ? t('repairs.detail.appointmentIs', { time: formatDateTime(ticket.appointmentAt, locale) })
                : `${formatDate(ticket.preferredDate, locale)} ${t(`repairs.slot.${ticket.preferredSlot}`)}`}
            </span>
          </span>
          {ticket.contactPhone ? (
            <Button asChild variant="outline" size="sm">
              <a href={phoneLink(ticket.contactPhone).href}>
                <Phone aria-hidden />
                {t('repairs.detail.callShort')}
              </a>
            </Button>
          ) : null}
        </div>
      </Card>

      {onTheWay ? <LocationSharer sharing={location.sharing} /> : null}

      {mine ? (
        <Card className="gap-3 px-4" aria-label={t('repairs.office.actions')}>
          {onTheWay ? (
            <IntentButton
              intent="arrive"
              icon={<MapPinCheck aria-hidden />}
              label={t('repairs.tasks.arrive')}
              variant="outline"
            />
          ) : null}
          {ticket.status === 'dispatched' ? (
            <IntentButton intent="start" icon={<Wrench aria-hidden />} label={t('repairs.tasks.start')} />
          ) : null}
          {ticket.status === 'paused' ? (
            <IntentButton intent="resume" icon={<Play aria-hidden />} label={t('repairs.tasks.resume')} />
          ) : null}
          {ticket.status === 'in_progress' ? <CompleteForm userId={userId} /> : null}
          {ticket.status === 'in_progress' ? (
            <ReasonForm intent="pause" label={t('repairs.tasks.pause')} icon={<Pause aria-hidden />} />
          ) : null}
          {['dispatched', 'paused'].includes(ticket.status) ? (
            <AppointmentForm value={ticket.appointmentAt} />
          ) : null}
          {ticket.status === 'dispatched' ? (
            <ReasonForm intent="decline" label={t('repairs.tasks.decline')} />
          ) : null}
        </Card>
      ) : null}

      <Card className="px-4">
        <StatusTimeline ticket={ticket} events={events} />
      </Card>
      <Card className="px-4">
        <Messages
          messages={messages}
          media={media}
          userId={userId}
          canWrite={ticket.status !== 'cancelled'}
        />
      </Card>
    </div>
  );
}

function IntentButton({
  intent,
  label,
  icon,
  variant = 'default',
}: {
  intent: string;
  label: string;
  icon: React.ReactNode;
  variant?: 'default' | 'outline';
}) {
  const fetcher = useFetcher<RepairActionData>();
  return (
    <fetcher.Form method="post" className="flex flex-col gap-2">
      <FormErrors errors={fetcher.data?.errors?.form} />
      <SubmitButton
        intent={intent}
        size="lg"
        variant={variant}
        className="w-full"
        pending={fetcher.state !== 'idle'}
      >
        {icon}
        {label}
      </SubmitButton>
    </fetcher.Form>
  );
}

function ReasonForm({ intent, label, icon }: { intent: string; label: string; icon?: React.ReactNode }) {
  const t = useT();
  const fetcher = useFetcher<RepairActionData>();
  return (
    <details className="rounded-lg border px-3 py-2">
      <summary className="flex cursor-pointer items-center gap-2 text-sm">
        {icon}
        {label}
      </summary>
      <fetcher.Form method="post" className="mt-2 flex flex-col gap-2">
        <FormErrors errors={fetcher.data?.errors?.form} />
        <Field
          label={t('repairs.field.reason')}
          render={(control) => <Textarea {...control} name="reason" required maxLength={500} rows={2} />}
        />
        <SubmitButton intent={intent} pending={fetcher.state !== 'idle'}>
          {label}
        </SubmitButton>
      </fetcher.Form>
    </details>
  );
}

function AppointmentForm({ value }: { value: string | null }) {
  const t = useT();
  const fetcher = useFetcher<RepairActionData>();
  return (
    <fetcher.Form method="post" className="flex flex-col gap-1.5">
      <FormErrors errors={fetcher.data?.errors?.form} />
      <Field
        label={t('repairs.field.appointment')}
        inputProps={{
          name: 'appointmentAt',
          type: 'datetime-local',
          required: true,
          defaultValue: toLocalInput(value),
        }}
      />
      <SubmitButton intent="appointment" variant="outline" pending={fetcher.state !== 'idle'}>
        {t('repairs.office.setAppointment')}
      </SubmitButton>
    </fetcher.Form>
  );
}

function CompleteForm({ userId }: { userId: string }) {
  const t = useT();
  const fetcher = useFetcher<RepairActionData>();
  const [uploading, setUploading] = useState(false);
  return (
    <fetcher.Form
      method="post"
      className="flex flex-col gap-3 rounded-lg border p-3"
      aria-label={t('repairs.tasks.complete')}
    >
      <h2 className="font-medium">{t('repairs.tasks.complete')}</h2>
      <FormErrors errors={fetcher.data?.errors?.form} />
      <Field
        label={t('repairs.field.completionNote')}
        render={(control) => <Textarea {...control} name="note" maxLength={1000} rows={2} />}
      />
      <Field
        label={t('repairs.field.materials')}
        description={t('repairs.tasks.materialsHint')}
        render={(control) => <Textarea {...control} name="materials" rows={2} />}
      />
      <div className="flex flex-col gap-2">
        <Label>{t('repairs.tasks.completionPhotos')}</Label>
        <MediaUploader name="media" userId={userId} maxVideos={0} onBusyChange={setUploading} />
      </div>
      <SubmitButton intent="complete" size="lg" pending={fetcher.state !== 'idle'} disabled={uploading}>
        {t('repairs.tasks.completeSubmit')}
      </SubmitButton>
    </fetcher.Form>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary homeHref="/office/tasks" />;
}
