import { data } from '@remix-run/node';
import { withUser } from '~/lib/db.server';
import { requireUser } from '~/modules/auth/session.server';
import { BillingError } from './errors';
import { getReceipt } from './receipt.server';
import { renderReceiptPdf } from './receipt-pdf.server';
import { getRefundVoucher, renderRefundVoucherPdf } from './refund-voucher.server';

/** A receipt PDF the signed-in user may read, as a download; 404 for one they may not. */
export async function receiptPdfResponse(
  request: Request,
  paymentId: string,
  surface: 'resident' | 'office',
) {
  const { user, headers } = await requireUser(request, { surface });
  if (!/^[0-9a-f-]{36}$/i.test(paymentId)) throw data(null, { status: 404, headers });
  let receipt: Awaited<ReturnType<typeof getReceipt>>;
  try {
    receipt = await withUser(user.claims, (tx) => getReceipt(tx, paymentId), { readOnly: true });
  } catch (err) {
    if (err instanceof BillingError) throw data(null, { status: 404, headers });
    throw err;
  }
  const pdf = await renderReceiptPdf(receipt);
  headers.set('Content-Type', 'application/pdf');
  headers.set('Content-Disposition', `attachment; filename="${receipt.receiptNo}.pdf"`);
  headers.set('Cache-Control', 'private, no-store');
  return new Response(new Blob([new Uint8Array(pdf)]), { headers });
}

/** A refund voucher (退款凭证) PDF of the staff member's communities; 404 for one they may not read. */
export async function refundVoucherPdfResponse(request: Request, refundId: string) {
  const { user, headers } = await requireUser(request, { surface: 'office' });
  if (!/^[0-9a-f-]{36}$/i.test(refundId)) throw data(null, { status: 404, headers });
  let voucher: Awaited<ReturnType<typeof getRefundVoucher>>;
  try {
    voucher = await withUser(user.claims, (tx) => getRefundVoucher(tx, refundId), { readOnly: true });
  } catch (err) {
    if (err instanceof BillingError) throw data(null, { status: 404, headers });
    throw err;
  }
  const pdf = await renderRefundVoucherPdf(voucher);
  headers.set('Content-Type', 'application/pdf');
  headers.set('Content-Disposition', `attachment; filename="${voucher.voucherNo ?? voucher.refundId}.pdf"`);
  headers.set('Cache-Control', 'private, no-store');
  return new Response(new Blob([new Uint8Array(pdf)]), { headers });
}
