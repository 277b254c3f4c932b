import { Form, useFetcher } from '@remix-run/react';
import { type ReactNode, useEffect, useId, useState } from 'react';
import { ErrorList, FormErrors, type ListOfErrors, SubmitButton } from '~/components/forms';
import { Card, CardContent } from '~/components/ui/card';
import { Input } from '~/components/ui/input';
import { Label } from '~/components/ui/label';
import { useT } from '~/i18n/use-t';
import type { MessageKey } from '~/i18n/zh-CN';
import type { FormErrors as Errors } from '~/lib/form-errors';
import { notificationPriorities } from '~/modules/notifications/notifications.schema';
import { noticeAudiences, noticeCategories } from '../notices.schema';
import type { AudienceOptions, PublishingCommunity, StaffNotice, UnitOption } from '../notices.server';
import { instantToZoned } from '../zoned-time';
import { audienceKeys, noticeCategoryKeys, priorityKeys } from './labels';
import { RichTextEditor } from './rich-text-editor';

const publishKeys: Record<'draft' | 'now' | 'schedule', MessageKey> = {
  draft: 'notices.form.publishDraft',
  now: 'notices.form.publishNow',
  schedule: 'notices.form.publishSchedule',
};

const selectClass =
  'h-9 w-full rounded-md border bg-background px-3 text-sm shadow-xs focus-visible:outline-2 focus-visible:outline-ring';

function Fieldset({
  legend,
  children,
  errors,
}: {
  legend: string;
  children: ReactNode;
  errors?: ListOfErrors;
}) {
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-1 font-medium text-sm">{legend}</legend>
      {children}
      <ErrorList errors={errors} />
    </fieldset>
  );
}

/** Units of one building, loaded on demand for the "specific units" audience. */
function UnitPicker({
  buildings,
  selected,
}: {
  buildings: AudienceOptions['buildings'];
  selected: string[];
}) {
  const t = useT();
  const fetcher = useFetcher<{ units: UnitOption[] }>();
  const [building, setBuilding] = useState(buildings[0]?.id ?? '');
  const [chosen, setChosen] = useState<Set<string>>(new Set(selected));
  const { load } = fetcher;
  useEffect(() => {
    if (building) load(`/office/notices/units?building=${building}`);
  }, [building, load]);
  const toggle = (id: string, on: boolean) =>
    setChosen((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  return (
    <div className="flex flex-col gap-2 rounded-md border p-3">
      <label className="flex items-center gap-2 text-sm">
        {t('notices.form.unitsOfBuilding')}
        <select
          className={`${selectClass} w-auto`}
          value={building}
          onChange={(e) => setBuilding(e.target.value)}
        >
          {buildings.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
      </label>
      <div className="grid max-h-56 grid-cols-3 gap-1 overflow-y-auto sm:grid-cols-5">
        {(fetcher.data?.units ?? []).map((u) => (
          <label key={u.id} className="flex items-center gap-1.5 text-sm">
            <input
              type="checkbox"
              className="size-4 accent-primary"
              checked={chosen.has(u.id)}
              onChange={(e) => toggle(u.id, e.target.checked)}
            />
            {u.label}
          </label>
        ))}
      </div>
      <p className="text-muted-foreground text-xs">{t('notices.form.unitsChosen', { count: chosen.size })}</p>
      {[...chosen].map((id) => (
        <input key={id} type="hidden" name="unitIds" value={id} />
      ))}
    </div>
  );
}

/** Create/edit form of a notice: text, category, priority, pin, audience, timing. */
export function NoticeEditor({
  communities,
  audience,
  notice,
  errors,
  communityId,
}: {
  communities: PublishingCommunity[];
  audience: AudienceOptions;
  notice: StaffNotice | null;
  errors?: Errors | null;
  communityId: string;
}) {
  const t = useT();
  const bodyLabelId = useId();
  const [timeZone, setTimeZone] = useState('Asia/Shanghai');
  const [audienceType, setAudienceType] = useState(notice?.audience ?? 'community');
  const [publishMode, setPublishMode] = useState<'draft' | 'now' | 'schedule'>(
    notice?.status === 'scheduled' ? 'schedule' : 'draft',
  );
  useEffect(() => {
    setTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Shanghai');
  }, []);
  const fieldErrors = errors?.fields ?? {};
  const editable = !notice || notice.status === 'draft' || notice.status === 'scheduled';

  return (
    <Form method="post" className="flex flex-col gap-5">
      <input type="hidden" name="timeZone" value={timeZone} />
      <Card>
        <CardContent className="flex flex-col gap-4">
          {notice ? (
            <input type="hidden" name="communityId" value={notice.communityId} />
          ) : communities.length > 1 ? (
            <div className="flex flex-col gap-2">
              <Label htmlFor="communityId">{t('notices.form.community')}</Label>
              <select
                id="communityId"
                name="communityId"
                defaultValue={communityId}
                className={selectClass}
                onChange={(e) => {
                  // The audience picker lists this community's buildings: reload the form for it.
                  window.location.search = `?community=${e.target.value}`;
                }}
              >
                {communities.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
          ) : (
            <input type="hidden" name="communityId" value={communityId} />
          )}
          <div className="flex flex-col gap-2">
            <Label htmlFor="title">{t('notices.form.title')}</Label>
            <Input
              id="title"
              name="title"
              defaultValue={notice?.title}
              maxLength={100}
              required
              aria-invalid={fieldErrors.title ? true : undefined}
            />
            <ErrorList errors={fieldErrors.title} />
          </div>
          <div className="grid gap-4 sm:grid-cols-2">
            <div className="flex flex-col gap-2">
              <Label htmlFor="category">{t('notices.form.category')}</Label>
              <select
                id="category"
                name="category"
                defaultValue={notice?.category ?? 'general'}
                className={selectClass}
              >
                {noticeCategories.map((c) => (
                  <option key={c} value={c}>
                    {t(noticeCategoryKeys[c])}
                  </option>
                ))}
              </select>
            </div>
            <Fieldset legend={t('notices.form.priority')}>
              <div className="flex flex-wrap gap-4">
                {notificationPriorities.map((p) => (
                  <label key={p} className="flex items-center gap-1.5 text-sm">
                    <input
                      type="radio"
                      name="priority"
                      value={p}
                      defaultChecked={(notice?.priority ?? 'normal') === p}
                      className="size-4 accent-primary"
                    />
                    {t(priorityKeys[p])}
                  </label>
                ))}
              </div>
              <p className="text-muted-foreground text-xs">{t('notices.form.priorityHint')}</p>
            </Fieldset>
          </div>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              name="pinned"
              defaultChecked={notice?.pinned}
              className="size-4 accent-primary"
            />
            {t('notices.form.pinned')}
          </label>
          <div className="flex flex-col gap-2">
            <span id={bodyLabelId} className="font-medium text-sm">
              {t('notices.form.body')}
            </span>
            <RichTextEditor
              name="bodyHtml"
              defaultValue={notice?.bodyHtml ?? ''}
              label={t('notices.form.body')}
              labelId={bodyLabelId}
            />
            <ErrorList errors={fieldErrors.bodyHtml} />
          </div>
        </CardContent>
      </Card>

      <Card>
        <CardContent className="flex flex-col gap-4">
          <Fieldset
            legend={t('notices.form.audience')}
            errors={fieldErrors.buildingIds ?? fieldErrors.unitIds}
          >
            <div className="flex flex-wrap gap-4">
              {noticeAudiences.map((a) => (
                <label key={a} className="flex items-center gap-1.5 text-sm">
                  <input
                    type="radio"
                    name="audience"
                    value={a}
                    checked={audienceType === a}
                    onChange={() => setAudienceType(a)}
                    className="size-4 accent-primary"
                  />
                  {t(audienceKeys[a])}
                </label>
              ))}
            </div>
            {audienceType === 'buildings' ? (
              <div className="grid grid-cols-2 gap-1.5 rounded-md border p-3 sm:grid-cols-4">
                {audience.buildings.map((b) => (
                  <label key={b.id} className="flex items-center gap-1.5 text-sm">
                    <input
                      type="checkbox"
                      name="buildingIds"
                      value={b.id}
                      defaultChecked={notice?.buildingIds.includes(b.id)}
                      className="size-4 accent-primary"
                    />
                    {b.name}
                    <span className="text-muted-foreground text-xs">({b.units})</span>
                  </label>
                ))}
              </div>
            ) : audienceType === 'units' ? (
              <UnitPicker buildings={audience.buildings} selected={notice?.unitIds ?? []} />
            ) : null}
          </Fieldset>

          <div className="flex flex-col gap-2">
            <Label htmlFor="expiresAt">{t('notices.form.expiresAt')}</Label>
            <Input
              id="expiresAt"
              name="expiresAt"
              type="datetime-local"
              className="w-auto"
              defaultValue={notice?.expiresAt ? instantToZoned(notice.expiresAt, timeZone) : ''}
            />
            <p className="text-muted-foreground text-xs">{t('notices.form.expiresAtHint')}</p>
          </div>

          {editable ? (
            <Fieldset legend={t('notices.form.publish')} errors={fieldErrors.publishAt}>
              <div className="flex flex-wrap gap-4">
                {(['draft', 'now', 'schedule'] as const).map((mode) => (
                  <label key={mode} className="flex items-center gap-1.5 text-sm">
                    <input
                      type="radio"
                      name="publishMode"
                      value={mode}
                      checked={publishMode === mode}
                      onChange={() => setPublishMode(mode)}
                      className="size-4 accent-primary"
                    />
                    {t(publishKeys[mode])}
                  </label>
                ))}
              </div>
              {publishMode === 'schedule' ? (
                <Input
                  name="publishAt"
                  type="datetime-local"
                  aria-label={t('notices.form.publishAt')}
                  className="w-auto"
                  defaultValue={notice?.publishAt ? instantToZoned(notice.publishAt, timeZone) : ''}
                  required
                />
              ) : null}
            </Fieldset>
          ) : (
            <input type="hidden" name="publishMode" value="draft" />
          )}
        </CardContent>
      </Card>

      <FormErrors errors={errors?.form} />
      <SubmitButton intent="save" className="self-start">
        {publishMode === 'now' && editable
          ? t('notices.form.submitPublish')
          : publishMode === 'schedule' && editable
            ? t('notices.form.submitSchedule')
            : t('notices.form.submitSave')}
      </SubmitButton>
    </Form>
  );
}
