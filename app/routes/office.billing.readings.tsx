import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { Download } from 'lucide-react';
import { FormErrors, SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { Input } from '~/components/ui/input';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { readingInputSchema } from '~/modules/billing/billing.schema';
import { listMeters, recordReading } from '~/modules/billing/billing.server';
import {
  answerBillingForm,
  type BillingActionData,
  invalidBillingForm,
  requireBillingScope,
  requireCommunity,
} from '~/modules/billing/billing-routes.server';
import { withCommunity } from '~/modules/billing/components/links';
import { importReadings } from '~/modules/billing/readings-import.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, community: picked, headers } = await requireBillingScope(request);
  const community = requireCommunity(picked, headers);
  const meters = await withUser(user.claims, (tx) => listMeters(tx, community.id), { readOnly: true });
  return data({ meters, community }, { headers });
}

type ReadingsAction = BillingActionData & {
  imported?: { ok: number; rejected: { row: number; reason: string }[] };
};

export async function action({ request }: ActionFunctionArgs) {
  const { user, community: picked, headers } = await requireBillingScope(request);
  const community = requireCommunity(picked, headers);
  const form = await request.formData();
  if (form.get('intent') === 'import') {
    const file = form.get('file');
    if (!(file instanceof File) || !file.name.endsWith('.xlsx') || file.size === 0 || file.size > 5_000_000) {
      return invalidBillingForm(headers, { form: [{ key: 'billing.error.fileInvalid' }] });
    }
    const buffer = await file.arrayBuffer();
    const imported = await withUser(user.claims, (tx) => importReadings(tx, community.id, buffer), {
      statementTimeoutMs: 60_000,
    });
    return data<ReadingsAction>({ ok: true, imported }, { headers });
  }
  const parsed = readingInputSchema.safeParse({
    meterId: form.get('meterId'),
    readOn: form.get('readOn'),
    reading: form.get('reading'),
  });
  if (!parsed.success)
    return invalidBillingForm(headers, { form: [{ key: 'billing.error.readingInvalid' }] });
  return answerBillingForm(headers, async () => {
    await withUser(user.claims, (tx) => recordReading(tx, parsed.data));
    return { key: 'billing.office.readings.recorded' };
  });
}

export default function OfficeReadingsPage() {
  const t = useT();
  const { meters, community } = useLoaderData<typeof loader>();
  const actionData = useActionData<ReadingsAction>();
  const today = new Date().toISOString().slice(0, 10);
  return (
    <div className="flex flex-col gap-4">
      <FormErrors errors={actionData?.errors?.form} />
      {actionData?.message ? (
        <p role="status" className="text-emerald-700 text-sm">
          {t(actionData.message.key as never)}
        </p>
      ) : null}
      {community.canManage ? (
        <Form
          method="post"
          encType="multipart/form-data"
          className="flex flex-wrap items-end gap-3 rounded-lg border bg-card p-4 text-sm"
        >
          <div className="flex flex-col gap-1">
            <label htmlFor="readings-file" className="font-medium">
              {t('billing.office.readings.import')}
            </label>
            <input id="readings-file" type="file" name="file" accept=".xlsx" required />
            <span className="text-muted-foreground text-xs">{t('billing.office.readings.importHint')}</span>
          </div>
          <SubmitButton intent="import" size="sm">
            {t('billing.office.readings.import')}
          </SubmitButton>
          <Button asChild variant="outline" size="sm">
            <a href={withCommunity('/office/billing/readings/template.xlsx', community.id)}>
              <Download aria-hidden />
              {t('billing.office.readings.template')}
            </a>
          </Button>
          {actionData?.imported ? (
            <div role="status" className="w-full">
              <p>
                {t('billing.office.readings.imported', {
                  ok: actionData.imported.ok,
                  rejected: actionData.imported.rejected.length,
                })}
              </p>
              <ul className="text-red-700 text-xs">
                {actionData.imported.rejected.map((r) => (
                  <li key={r.row}>
                    {t('billing.office.readings.rejectedRow', { row: r.row, reason: r.reason })}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </Form>
      ) : null}
      {meters.length === 0 ? (
        <p className="text-muted-foreground text-sm">{t('billing.office.readings.noMeters')}</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border bg-card">
          <table className="w-full text-sm">
            <thead className="bg-muted/50 text-left text-muted-foreground text-xs">
              <tr>
                <th className="px-3 py-2">{t('billing.common.unit')}</th>
                <th className="px-3 py-2">{t('billing.common.feeItem')}</th>
                <th className="px-3 py-2">{t('billing.office.readings.last')}</th>
                <th className="px-3 py-2">{t('billing.office.readings.record')}</th>
              </tr>
            </thead>
            <tbody>
              {meters.slice(0, 200).map((m) => (
                <tr key={m.id} className="border-t">
                  <td className="px-3 py-2">{m.unitLabel}</td>
                  <td className="px-3 py-2">{m.feeItemName}</td>
                  <td className="px-3 py-2 tabular-nums">
                    {m.lastReading !== null ? `${m.lastReading} (${m.lastReadOn})` : '—'}
                  </td>
                  <td className="px-3 py-2">
                    {community.canManage ? (
                      <Form method="post" className="flex gap-2">
                        <input type="hidden" name="meterId" value={m.id} />
                        <Input
                          type="date"
                          name="readOn"
                          defaultValue={today}
                          aria-label={t('billing.office.readings.readOn')}
                          className="w-36"
                        />
                        <Input
                          name="reading"
                          inputMode="decimal"
                          aria-label={t('billing.office.readings.reading')}
                          className="w-28"
                        />
                        <SubmitButton size="sm" variant="outline">
                          {t('billing.office.readings.record')}
                        </SubmitButton>
                      </Form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
