-- =====================================================================================
-- Billing (issue #8): new states for prepayments and partial refunds
--
-- Enum values must be committed before anything can use them (ALTER TYPE … ADD VALUE), so
-- they come in this migration of their own; 20261122971000 (prepayments) and
-- 20261122972000 (partial refunds) use them.
--
--   bill_status.pending             预缴待付: a future bill created by a prepayment checkout that
--                                   is not paid yet. It is not an obligation: no reminders, no
--                                   arrears, not due in reports, not payable on its own. Paid →
--                                   paid; a failed, expired or cancelled checkout deletes it.
--   bill_status.partially_refunded  部分退款: part of what paid the bill was refunded.
--   payment_status.partially_refunded  part of the payment was refunded; the rest may follow.
-- =====================================================================================

alter type public.bill_status add value if not exists 'pending' before 'unpaid';
alter type public.bill_status add value if not exists 'partially_refunded' before 'refunded';
alter type public.payment_status add value if not exists 'partially_refunded' before 'refunded';

comment on type public.bill_status is
  'pending (预缴待付: created by a prepayment checkout, not owed until paid, removed if the checkout fails), unpaid (overdue is derived: unpaid and past due_date), paid, waived (减免, with a reason), partially_refunded (part of what paid it was refunded), refunded (all of it). Transitions in private.state_transitions (machine bill).';
comment on type public.payment_status is
  'succeeded: settles its bills; partially_refunded: part of it was refunded; refunded: all of it was returned; duplicate: money arrived for bills already paid — it settles nothing and is refunded automatically.';
