import type { LoaderFunctionArgs } from '@remix-run/node';
import { refundVoucherPdfResponse } from '~/modules/billing/receipt-routes.server';

/** A refund voucher (退款凭证) of the staff member's communities as a PDF (RLS on refunds decides). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  return refundVoucherPdfResponse(request, String(params.refundId));
}
