import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { Download } from 'lucide-react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Button } from '~/components/ui/button';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { authCacheHeaders } from '~/lib/supabase.server';
import { requireUser } from '~/modules/auth/session.server';
import { ReceiptView } from '~/modules/billing/components/receipt-view';
import { BillingError } from '~/modules/billing/errors';
import { getReceipt } from '~/modules/billing/receipt.server';
import { receiptTexts } from '~/modules/billing/receipt-pdf.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'billing.common.receipt');
export const headers = authCacheHeaders;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request);
  try {
    const receipt = await withUser(user.claims, (tx) => getReceipt(tx, String(params.paymentId)), {
      readOnly: true,
    });
    return data({ receipt, texts: receiptTexts(receipt) }, { headers });
  } catch (err) {
    if (err instanceof BillingError) throw data(null, { status: 404, headers });
    throw err;
  }
}

export default function ReceiptPage() {
  const t = useT();
  const { receipt, texts } = useLoaderData<typeof loader>();
  return (
    <div className="flex flex-col gap-4">
      <ReceiptView texts={texts} />
      <Button asChild>
        <a href={`/bills/payments/${receipt.paymentId}/receipt.pdf`} download={`${receipt.receiptNo}.pdf`}>
          <Download aria-hidden />
          {t('billing.common.downloadPdf')}
        </a>
      </Button>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
