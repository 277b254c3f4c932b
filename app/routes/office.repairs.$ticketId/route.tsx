import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useFetcher, useLoaderData } from '@remix-run/react';
import { ArrowLeft, Phone } from 'lucide-react';
import type { ReactNode } from 'react';
import { z } from 'zod';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, FormErrors, SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { Input } from '~/components/ui/input';
import { pageMeta } from '~/i18n/meta';
import { useLocale, useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { cn } from '~/lib/utils';
import { CategoryIcon, categoryName } from '~/modules/repairs/components/category-icon';
import {
  formatDate,
  formatDateTime,
  fromLocalInput,
  phoneLink,
  toLocalInput,
} from '~/modules/repairs/components/format';
import { LiveIndicator } from '~/modules/repairs/components/live-indicator';
import { LocationView } from '~/modules/repairs/components/location-view';
import { MediaGallery } from '~/modules/repairs/components/media-gallery';
import { Messages } from '~/modules/repairs/components/messages';
import { RatingView } from '~/modules/repairs/components/rating';
import { StatusBadge } from '~/modules/repairs/components/status-badge';
import { StatusTimeline } from '~/modules/repairs/components/status-timeline';
import { NativeSelect, Textarea } from '~/modules/repairs/components/textarea';
import { repairTopics, useRepairChannel } from '~/modules/repairs/components/use-repair-channel';
import { RepairError } from '~/modules/repairs/errors';
import { officeIntents, parseMaterials } from '~/modules/repairs/repairs.schema';
import { getTicketDetail, postMessage } from '~/modules/repairs/repairs.server';
import { signMedia } from '~/modules/repairs/repairs-media.server';
import {
  listCategories,
  listMergedDuplicates,
  listTechnicians,
  officeActions,
  workActions,
} from '~/modules/repairs/repairs-office.server';
import {
  answerForm,
  invalidForm,
  type RepairActionData,
  requireRepairScope,
} from '~/modules/repairs/repairs-routes.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'repairs.detail.title');

const params = z.object({ ticketId: z.string().uuid() });

export async function loader({ request, params: raw }: LoaderFunctionArgs) {
  const { user, headers, supabase, scope } = await requireRepairScope(request);
  const parsed = params.safeParse(raw);
  if (!parsed.success) throw data(null, { status: 404, headers });
  const result = await withUser(
    user.claims,
    async (tx) => {
      const detail = await getTicketDetail(tx, parsed.data.ticketId);
      return {
        ...detail,
        technicians: await listTechnicians(tx, detail.ticket.communityId),
        categories: await listCategories(tx, detail.ticket.communityId),
        duplicates: await listMergedDuplicates(tx, detail.ticket.id),
      };
    },
    { readOnly: true },
  ).catch((err) => {
    if (err instanceof RepairError && err.code === 'repairs.not_found')
      throw data(null, { status: 404, headers });
    throw err;
  });
  const community = scope.find((c) => c.id === result.ticket.communityId);
  return data(
    {
      ...result,
      media: await signMedia(supabase, result.media),
      userId: user.id,
      canDispatch: community?.canDispatch ?? false,
    },
    { headers },
  );
}

export async function action({ request, params: raw }: ActionFunctionArgs) {
  const { user, headers } = await requireRepairScope(request);
  const { ticketId: id } = params.parse(raw);
  const submission = parseIntentFormData(await request.formData(), officeIntents);
  if (!submission.ok) return invalidForm(headers, submission.errors);
  const s = submission;
  return answerForm(headers, () =>
    withUser(user.claims, (tx): Promise<unknown> => {
      switch (s.intent) {
        case 'accept':
          return officeActions.accept(tx, id);
        case 'dispatch':
          return officeActions.dispatch(tx, id, s.data.assigneeId);
        case 'recall':
          return officeActions.recall(tx, id, s.data.reason);
        case 'return':
          return officeActions.returnToResident(tx, id, s.data.reason);
        case 'cancel':
          return officeActions.cancel(tx, id, s.data.reason);
        case 'appointment':
          return officeActions.appointment(tx, id, fromLocalInput(s.data.appointmentAt));
        case 'priority':
          return officeActions.priority(tx, id, s.data.priority);
        case 'category':
          return officeActions.category(tx, id, s.data.categoryId);
        case 'merge':
          return officeActions.merge(tx, id, s.data.targetNumber);
        case 'note':
          return postMessage(tx, id, { body: s.data.body, internal: true });
        case 'message':
          return postMessage(tx, id, { body: s.data.body, media: s.data.media });
        case 'start':
          return workActions.start(tx, id);
        case 'pause':
          return workActions.pause(tx, id, s.data.reason);
        case 'resume':
          return workActions.resume(tx, id);
        case 'complete':
          return workActions.complete(tx, id, {
            note: s.data.note,
            materials: parseMaterials(s.data.materials),
            media: s.data.media,
          });
      }
    }),
  );
}

export default function OfficeTicketPage() {
  const t = useT();
  const locale = useLocale();
  const {
    ticket,
    events,
    messages,
    media,
    ratings,
    assignee,
    location,
    technicians,
    categories,
    duplicates,
    userId,
    canDispatch,
  } = useLoaderData<typeof loader>();
  const live = useRepairChannel([repairTopics.ticket(ticket.id)]);
  const open = ['pending', 'accepted', 'dispatched', 'in_progress', 'paused'].includes(ticket.status);
  const dispatcher = canDispatch && ticket.actors.includes('dispatcher');

  return (
    <div className="flex flex-col gap-5">
      <div className="flex flex-wrap items-center gap-3">
        <Button asChild variant="ghost" size="icon" aria-label={t('repairs.common.back')}>
          <Link to="/office/repairs">
            <ArrowLeft />
          </Link>
        </Button>
        <h1 className="font-semibold text-2xl tracking-tight">{ticket.number}</h1>
        <StatusBadge status={ticket.status} />
        {ticket.priority === 'urgent' ? (
          <span className="rounded bg-destructive/10 px-2 py-0.5 text-destructive text-xs">
            {t('repairs.priority.urgent')}
          </span>
        ) : null}
        {ticket.overdue ? (
          <span className="rounded bg-amber-100 px-2 py-0.5 text-amber-800 text-xs">
            {t('repairs.queue.overdue')}
          </span>
        ) : null}
        <LiveIndicator state={live} className="ml-auto" />
      </div>

      <div className="grid gap-5 lg:grid-cols-[1fr_22rem]">
        <div className="flex flex-col gap-5">
          <Card className="gap-3 px-5">
            <div className="flex items-center gap-2">
              <CategoryIcon icon={ticket.category.icon} className="text-primary" />
              <span className="font-medium">{categoryName(ticket.category, locale)}</span>
              <span className="text-muted-foreground text-sm">
                · {ticket.communityName} · {t(`repairs.area.${ticket.area}`)} · {ticket.place}
              </span>
            </div>
            <p className="whitespace-pre-wrap">{ticket.description}</p>
            <MediaGallery media={media.filter((m) => m.kind === 'report')} className="max-w-md" />
            <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-1.5 text-sm">
              <dt className="text-muted-foreground">{t('repairs.field.contact')}</dt>
              <dd className="flex items-center gap-2">
                {ticket.contactName ?? '—'}
                {ticket.contactPhone ? (
                  <a
                    href={phoneLink(ticket.contactPhone).href}
                    className="inline-flex items-center gap-1 text-primary"
                  >
                    <Phone aria-hidden className="size-3.5" />
                    {phoneLink(ticket.contactPhone).label}
                  </a>
                ) : null}
              </dd>
              <dt className="text-muted-foreground">{t('repairs.field.preferred')}</dt>
              <dd>
                {formatDate(ticket.preferredDate, locale) || '—'} {t(`repairs.slot.${ticket.preferredSlot}`)}
              </dd>
              <dt className="text-muted-foreground">{t('repairs.field.createdAt')}</dt>
              <dd>
                {formatDateTime(ticket.createdAt, locale)} · {t(`repairs.source.${ticket.source}`)}
              </dd>
              <dt className="text-muted-foreground">{t('repairs.field.responseDue')}</dt>
              <dd>{formatDateTime(ticket.responseDueAt, locale)}</dd>
              <dt className="text-muted-foreground">{t('repairs.field.resolveDue')}</dt>
              <dd>{formatDateTime(ticket.resolveDueAt, locale)}</dd>
              {ticket.appointmentAt ? (
                <>
                  <dt className="text-muted-foreground">{t('repairs.field.appointment')}</dt>
                  <dd>{formatDateTime(ticket.appointmentAt, locale)}</dd>
                </>
              ) : null}
              {assignee ? (
                <>
                  <dt className="text-muted-foreground">{t('repairs.field.technician')}</dt>
                  <dd>{assignee.name}</dd>
                </>
              ) : null}
              {ticket.followerCount > 0 ? (
                <>
                  <dt className="text-muted-foreground">{t('repairs.field.followers')}</dt>
                  <dd>{ticket.followerCount}</dd>
                </>
              ) : null}
              {ticket.mergedIntoNumber ? (
                <>
                  <dt className="text-muted-foreground">{t('repairs.merge.title')}</dt>
                  <dd>
                    <Link to={`/office/repairs/${ticket.mergedIntoId}`} className="text-primary">
                      {ticket.mergedIntoNumber}
                    </Link>
                  </dd>
                </>
              ) : null}
              {duplicates.length > 0 ? (
                <>
                  <dt className="text-muted-foreground">{t('repairs.merge.duplicates')}</dt>
                  <dd className="flex flex-wrap gap-2">
                    {duplicates.map((d) => (
                      <Link key={d.id} to={`/office/repairs/${d.id}`} className="text-primary">
                        {d.number}
                      </Link>
                    ))}
                  </dd>
                </>
              ) : null}
            </dl>
          </Card>
          <LocationView location={location} />
          {ticket.completionNote || ticket.materials.length > 0 ? (
            <Card className="gap-2 px-5">
              <h2 className="font-medium">{t('repairs.detail.completion')}</h2>
              {ticket.completionNote ? (
                <p className="whitespace-pre-wrap text-sm">{ticket.completionNote}</p>
              ) : null}
              <ul className="text-muted-foreground text-sm">
                {ticket.materials.map((m, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: materials have no ids
                  <li key={i}>
                    {m.name} × {m.quantity}
                    {m.unit}
                  </li>
                ))}
              </ul>
              <MediaGallery media={media.filter((m) => m.kind === 'completion')} className="max-w-md" />
            </Card>
          ) : null}
          {ratings.length > 0 ? (
            <Card className="gap-2 px-5">
              <h2 className="font-medium">{t('repairs.rate.title')}</h2>
              <RatingView rating={ratings[ratings.length - 1]} />
              <MediaGallery media={media.filter((m) => m.kind === 'rating')} className="max-w-md" />
            </Card>
          ) : null}
          <Card className="px-5">
            <Messages messages={messages} media={media} userId={userId} canWrite allowInternal />
          </Card>
        </div>

        <div className="flex flex-col gap-4">
          {dispatcher && open ? (
            <Card className="gap-3 px-5" aria-label={t('repairs.office.actions')}>
              <h2 className="font-medium">{t('repairs.office.actions')}</h2>
              {ticket.status === 'pending' ? (
                <IntentButton intent="accept" label={t('repairs.office.accept')} />
              ) : null}
              {['pending', 'accepted', 'dispatched', 'paused'].includes(ticket.status) ? (
                <DispatchForm
                  technicians={technicians}
                  current={ticket.assigneeId}
                  label={ticket.assigneeId ? t('repairs.office.reassign') : t('repairs.office.dispatch')}
                />
              ) : null}
              {['pending', 'accepted', 'dispatched', 'paused'].includes(ticket.status) ? (
                <OneFieldForm
                  intent="appointment"
                  label={t('repairs.field.appointment')}
                  submit={t('repairs.office.setAppointment')}
                >
                  <Input
                    name="appointmentAt"
                    type="datetime-local"
                    required
                    defaultValue={toLocalInput(ticket.appointmentAt)}
                    aria-label={t('repairs.field.appointment')}
                  />
                </OneFieldForm>
              ) : null}
              <OneFieldForm
                intent="priority"
                label={t('repairs.field.priority')}
                submit={t('repairs.office.save')}
              >
                <NativeSelect
                  name="priority"
                  defaultValue={ticket.priority}
                  aria-label={t('repairs.field.priority')}
                >
                  <option value="normal">{t('repairs.priority.normal')}</option>
                  <option value="urgent">{t('repairs.priority.urgent')}</option>
                </NativeSelect>
              </OneFieldForm>
              <OneFieldForm
                intent="category"
                label={t('repairs.field.category')}
                submit={t('repairs.office.save')}
              >
                <NativeSelect
                  name="categoryId"
                  defaultValue={ticket.category.id}
                  aria-label={t('repairs.field.category')}
                >
                  {categories
                    .filter((c) => c.active && (ticket.area === 'home' ? c.forHome : c.forPublic))
                    .map((c) => (
                      <option key={c.id} value={c.id}>
                        {categoryName(c, locale)}
                      </option>
                    ))}
                </NativeSelect>
              </OneFieldForm>
              {ticket.status === 'dispatched' ? (
                <ReasonForm intent="recall" label={t('repairs.office.recall')} />
              ) : null}
              {['pending', 'accepted'].includes(ticket.status) ? (
                <ReasonForm intent="return" label={t('repairs.office.return')} />
              ) : null}
              {['pending', 'accepted', 'dispatched'].includes(ticket.status) ? (
                <OneFieldForm
                  intent="merge"
                  label={t('repairs.merge.target')}
                  submit={t('repairs.merge.submit')}
                >
                  <Input
                    name="targetNumber"
                    required
                    placeholder="BX261122-000001"
                    aria-label={t('repairs.merge.target')}
                  />
                </OneFieldForm>
              ) : null}
              {['pending', 'accepted', 'dispatched', 'paused'].includes(ticket.status) ? (
                <ReasonForm intent="cancel" label={t('repairs.office.cancel')} destructive />
              ) : null}
            </Card>
          ) : null}
          {dispatcher && ['dispatched', 'in_progress', 'paused'].includes(ticket.status) ? (
            <Card className="gap-3 px-5">
              <h2 className="font-medium">{t('repairs.office.onBehalf')}</h2>
              {ticket.status === 'dispatched' ? (
                <IntentButton intent="start" label={t('repairs.tasks.start')} />
              ) : null}
              {ticket.status === 'in_progress' ? (
                <ReasonForm intent="pause" label={t('repairs.tasks.pause')} />
              ) : null}
              {ticket.status === 'paused' ? (
                <IntentButton intent="resume" label={t('repairs.tasks.resume')} />
              ) : null}
              {ticket.status === 'in_progress' ? (
                <IntentButton intent="complete" label={t('repairs.tasks.complete')} />
              ) : null}
            </Card>
          ) : null}
          <Card className="px-5">
            <h2 className="font-medium">{t('repairs.detail.progress')}</h2>
            <StatusTimeline ticket={ticket} events={events} showActors />
          </Card>
        </div>
      </div>
    </div>
  );
}

function IntentButton({ intent, label }: { intent: string; label: string }) {
  const fetcher = useFetcher<RepairActionData>();
  return (
    <fetcher.Form method="post" className="flex flex-col gap-2">
      <FormErrors errors={fetcher.data?.errors?.form} />
      <SubmitButton intent={intent} pending={fetcher.state !== 'idle'} className="w-full">
        {label}
      </SubmitButton>
    </fetcher.Form>
  );
}

function OneFieldForm({
  intent,
  label,
  submit,
  children,
}: {
  intent: string;
  label: string;
  submit: string;
  children: ReactNode;
}) {
  const fetcher = useFetcher<RepairActionData>();
  return (
    <fetcher.Form method="post" className="flex flex-col gap-1.5">
      <span className="text-muted-foreground text-xs">{label}</span>
      <FormErrors errors={fetcher.data?.errors?.form} />
      <div className="flex gap-2">
        <div className="min-w-0 flex-1">{children}</div>
        <SubmitButton intent={intent} variant="outline" pending={fetcher.state !== 'idle'}>
          {submit}
        </SubmitButton>
      </div>
    </fetcher.Form>
  );
}

function ReasonForm({
  intent,
  label,
  destructive = false,
}: {
  intent: string;
  label: string;
  destructive?: boolean;
}) {
  const t = useT();
  const fetcher = useFetcher<RepairActionData>();
  return (
    <details className="rounded-lg border px-3 py-2">
      <summary className={cn('cursor-pointer text-sm', destructive && 'text-destructive')}>{label}</summary>
      <fetcher.Form method="post" className="mt-2 flex flex-col gap-2">
        <FormErrors errors={fetcher.data?.errors?.form} />
        <Field
          label={t('repairs.field.reason')}
          render={(control) => <Textarea {...control} name="reason" required maxLength={500} rows={2} />}
        />
        <SubmitButton
          intent={intent}
          variant={destructive ? 'destructive' : 'default'}
          pending={fetcher.state !== 'idle'}
        >
          {label}
        </SubmitButton>
      </fetcher.Form>
    </details>
  );
}

function DispatchForm({
  technicians,
  current,
  label,
}: {
  technicians: {
    memberId: string;
    name: string;
    openCount: number;
    jobTitle: string | null;
    alsoDispatches: boolean;
  }[];
  current: string | null;
  label: string;
}) {
  const t = useT();
  const fetcher = useFetcher<RepairActionData>();
  return (
    <fetcher.Form method="post" className="flex flex-col gap-2" aria-label={label}>
      <FormErrors errors={fetcher.data?.errors?.form} />
      <fieldset className="flex flex-col gap-1">
        <legend className="mb-1 text-muted-foreground text-xs">{t('repairs.office.chooseTechnician')}</legend>
        {technicians.length === 0 ? (
          <p className="text-muted-foreground text-sm">{t('repairs.office.noTechnicians')}</p>
        ) : null}
        {technicians.map((tech) => (
          <label
            key={tech.memberId}
            className="flex cursor-pointer items-center gap-2 rounded-md border px-3 py-2 text-sm has-[:checked]:border-primary has-[:checked]:bg-primary/5"
          >
            <input
              type="radio"
              name="assigneeId"
              value={tech.memberId}
              required
              defaultChecked={tech.memberId === current}
            />
            <span className="flex-1">
              {tech.name}
              {tech.jobTitle ? <span className="text-muted-foreground"> · {tech.jobTitle}</span> : null}
            </span>
            <span
              className={cn(
                'rounded-full px-2 py-0.5 text-xs tabular-nums',
                tech.openCount >= 5 ? 'bg-amber-100 text-amber-800' : 'bg-muted',
              )}
              title={t('repairs.office.load')}
            >
              {t('repairs.office.openCount', { n: tech.openCount })}
            </span>
          </label>
        ))}
      </fieldset>
      <SubmitButton intent="dispatch" pending={fetcher.state !== 'idle'}>
        {label}
      </SubmitButton>
    </fetcher.Form>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary homeHref="/office/repairs" />;
}
