import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { listArrears } from '~/modules/billing/billing.server';
import { requireBillingScope, requireCommunity } from '~/modules/billing/billing-routes.server';
import { formatFen } from '~/modules/billing/components/money';

export const meta: MetaFunction = () => [{ title: '催缴通知单' }];

/** Printable dunning notices (催缴通知单), one per unit in arrears, one per page. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { user, community: picked, headers } = await requireBillingScope(request);
  const community = requireCommunity(picked, headers);
  const result = await withUser(
    user.claims,
    async (tx) => {
      const arrears = await listArrears(tx, community.id);
      const today = (await tx.query<{ d: string }>('select billing.today()::text as d')).rows[0].d;
      return { arrears, today };
    },
    { readOnly: true },
  );
  return data({ ...result, community }, { headers });
}

export default function ArrearsPrintPage() {
  const t = useT();
  const { arrears, today, community } = useLoaderData<typeof loader>();
  return (
    <main className="mx-auto max-w-3xl bg-white p-8 text-black print:p-0">
      <p className="mb-6 text-gray-500 text-sm print:hidden">
        <button type="button" onClick={() => window.print()} className="rounded border px-3 py-1">
          {t('billing.office.arrears.print')}
        </button>
      </p>
      {arrears.map((a) => (
        <section key={a.unitId} className="mb-10 break-after-page border p-8">
          <h1 className="mb-6 text-center font-semibold text-2xl">
            {t('billing.office.arrears.noticeTitle')}
          </h1>
          <p className="leading-8">
            {t('billing.office.arrears.noticeBody', {
              unit: `${community.name} ${a.unitLabel}`,
              date: today,
              amount: `¥${formatFen(a.amountFen)}`,
              lateFee: `¥${formatFen(a.lateFeeFen)}`,
            })}
          </p>
          <p className="mt-4 text-sm">
            {t('billing.office.arrears.bills')}: {a.bills} · {t('billing.common.due')}: {a.oldestDueDate}
          </p>
          <p className="mt-10 text-right">
            {t('billing.office.arrears.noticeFooter', { company: community.companyName })}
          </p>
          <p className="text-right">{today}</p>
        </section>
      ))}
      {arrears.length === 0 ? <p>{t('billing.common.empty')}</p> : null}
    </main>
  );
}
