import { data } from '@remix-run/node';
import { withUser } from '~/lib/db.server';
import { requireUser } from '~/modules/auth/session.server';
import { BillingError } from './errors';
import { getReceipt } from './receipt.server';
import { renderReceiptPdf } from './receipt-pdf.server';

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
