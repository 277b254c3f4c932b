import type { LoaderFunctionArgs } from '@remix-run/node';
import { receiptPdfResponse } from '~/modules/billing/receipt-routes.server';

/** The e-receipt as a PDF, for the payer and their household (RLS on payments decides). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  return receiptPdfResponse(request, String(params.paymentId), 'resident');
}
