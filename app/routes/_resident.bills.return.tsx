import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useLoaderData, useRevalidator } from '@remix-run/react';
import { CircleCheck, CircleX, LoaderCircle } from 'lucide-react';
import { useEffect } from 'react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Button } from '~/components/ui/button';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { authCacheHeaders } from '~/lib/supabase.server';
import { requireUser } from '~/modules/auth/session.server';
import { Yuan } from '~/modules/billing/components/money';
import { checkoutStatus } from '~/modules/billing/resident.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'resident.bills.title');
export const headers = authCacheHeaders;

/** Where the checkout sends the payer back. Only the webhook settles bills, so this page waits for it. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request);
  const intentId = new URL(request.url).searchParams.get('intent') ?? '';
  if (!/^[0-9a-f-]{36}$/i.test(intentId)) throw data(null, { status: 404, headers });
  const status = await withUser(user.claims, (tx) => checkoutStatus(tx, intentId), { readOnly: true });
  return data({ status }, { headers });
}

export default function PaymentReturnPage() {
  const t = useT();
  const { status } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const waiting = status.status === 'pending' || status.status === 'processing';
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => {
      if (revalidator.state === 'idle') revalidator.revalidate();
    }, 1500);
    return () => clearInterval(timer);
  }, [waiting, revalidator]);

  return (
    <div className="flex flex-col items-center gap-4 py-10 text-center">
      {status.status === 'succeeded' ? (
        <>
          <CircleCheck aria-hidden className="size-14 text-emerald-600" />
          <h1 className="font-semibold text-xl">{t('billing.resident.paidTitle')}</h1>
          <Yuan fen={status.amountFen} className="font-semibold text-2xl" />
          <p className="text-muted-foreground text-sm">
            {t('billing.resident.paidBody', { receiptNo: status.receiptNo ?? '' })}
          </p>
          <div className="flex gap-2">
            <Button asChild>
              <Link to={`/bills/payments/${status.paymentId}`}>{t('billing.resident.viewReceipt')}</Link>
            </Button>
            <Button asChild variant="outline">
              <Link to="/bills">{t('billing.resident.backToBills')}</Link>
            </Button>
          </div>
        </>
      ) : waiting ? (
        <>
          <LoaderCircle aria-hidden className="size-14 animate-spin text-primary" />
          <h1 className="font-semibold text-xl">{t('billing.resident.processingTitle')}</h1>
          <p className="max-w-xs text-muted-foreground text-sm">{t('billing.resident.processingBody')}</p>
          <Button variant="outline" onClick={() => revalidator.revalidate()}>
            {t('billing.resident.refresh')}
          </Button>
        </>
      ) : (
        <>
          <CircleX aria-hidden className="size-14 text-red-600" />
          <h1 className="font-semibold text-xl">{t('billing.resident.failedTitle')}</h1>
          <p className="max-w-xs text-muted-foreground text-sm">{t('billing.resident.failedBody')}</p>
          <Button asChild>
            <Link to="/bills">{t('billing.resident.backToBills')}</Link>
          </Button>
        </>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
