import type { LoaderFunctionArgs } from '@remix-run/node';
import { receiptPdfResponse } from '~/modules/billing/receipt-routes.server';

/** Any receipt of the staff member's communities as a PDF (RLS on payments decides). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  return receiptPdfResponse(request, String(params.paymentId), 'office');
}
