import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { Printer } from 'lucide-react';
import { FormErrors, SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { listArrears, sendDunning } from '~/modules/billing/billing.server';
import {
  answerBillingForm,
  type BillingActionData,
  requireBillingScope,
  requireCommunity,
} from '~/modules/billing/billing-routes.server';
import { withCommunity } from '~/modules/billing/components/links';
import { Yuan } from '~/modules/billing/components/money';

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, community: picked, headers } = await requireBillingScope(request);
  const community = requireCommunity(picked, headers);
  const arrears = await withUser(user.claims, (tx) => listArrears(tx, community.id), { readOnly: true });
  return data({ arrears, community }, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, community: picked, headers } = await requireBillingScope(request);
  const community = requireCommunity(picked, headers);
  return answerBillingForm(headers, async () => {
    const ids = (await withUser(user.claims, (tx) => listArrears(tx, community.id))).flatMap(
      (a) => a.billIds,
    );
    const count = ids.length ? await withUser(user.claims, (tx) => sendDunning(tx, ids)) : 0;
    return { key: 'billing.office.bills.reminded', vars: { count } };
  });
}

export default function OfficeArrearsPage() {
  const t = useT();
  const { arrears, community } = useLoaderData<typeof loader>();
  const actionData = useActionData<BillingActionData>();
  const total = arrears.reduce((n, a) => n + a.amountFen, 0);
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="mr-auto font-medium">
          {t('billing.office.arrears.title')} · <Yuan fen={total} />
        </h2>
        <Button asChild variant="outline" size="sm">
          <a
            href={withCommunity('/office/billing/arrears/print', community.id)}
            target="_blank"
            rel="noreferrer"
          >
            <Printer aria-hidden />
            {t('billing.office.arrears.print')}
          </a>
        </Button>
        {community.canManage ? (
          <Form method="post">
            <SubmitButton size="sm">{t('billing.office.arrears.remindAll')}</SubmitButton>
          </Form>
        ) : null}
      </div>
      <FormErrors errors={actionData?.errors?.form} />
      {actionData?.message ? (
        <p role="status" className="text-emerald-700 text-sm">
          {t(actionData.message.key as never, actionData.message.vars)}
        </p>
      ) : null}
      <div className="overflow-x-auto rounded-lg border bg-card">
        <table className="w-full text-sm">
          <thead className="bg-muted/50 text-left text-muted-foreground text-xs">
            <tr>
              <th className="px-3 py-2">{t('billing.common.unit')}</th>
              <th className="px-3 py-2">{t('billing.office.arrears.residents')}</th>
              <th className="px-3 py-2 text-right">{t('billing.office.arrears.bills')}</th>
              <th className="px-3 py-2 text-right">{t('billing.common.amount')}</th>
              <th className="px-3 py-2 text-right">{t('billing.common.lateFee')}</th>
              <th className="px-3 py-2">{t('billing.common.due')}</th>
            </tr>
          </thead>
          <tbody>
            {arrears.map((a) => (
              <tr key={a.unitId} className="border-t">
                <td className="px-3 py-2">{a.unitLabel}</td>
                <td className="px-3 py-2">{a.residents ?? '—'}</td>
                <td className="px-3 py-2 text-right">{a.bills}</td>
                <td className="px-3 py-2 text-right">
                  <Yuan fen={a.amountFen} />
                </td>
                <td className="px-3 py-2 text-right">
                  <Yuan fen={a.lateFeeFen} />
                </td>
                <td className="px-3 py-2 text-red-700">
                  {a.oldestDueDate} · {t('billing.office.arrears.days', { days: a.daysOverdue })}
                </td>
              </tr>
            ))}
            {arrears.length === 0 ? (
              <tr>
                <td colSpan={6} className="px-3 py-6 text-center text-muted-foreground">
                  {t('billing.common.empty')}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </div>
  );
}
