-- =====================================================================================
-- Row-level security for billing (issue #8): grants and policies in one place
--
-- Who can do what:
--   * staff with bill.read in a community read its fee items, rules, meters, readings, runs,
--     bills, lines, payments and refunds; bill.manage writes fee items, rules, meters,
--     readings and settings. Bills, payments and refunds are written only through the
--     billing.* workflow functions (which check bill.manage / payment.record /
--     payment.refund themselves), never by table grants.
--   * residents read the bills, lines and readings of units where they hold the household
--     grant bills.read (principals always do), their own checkouts and the payments they
--     made, and the fee items of their communities.
--   * the service role (webhooks, jobs) bypasses RLS; the webhook ledger and reminder log
--     live in the unexposed billing schema.
-- =====================================================================================

grant select, insert, update, delete on
  public.fee_items, public.fee_rule_versions, public.billing_settings, public.meters, public.meter_readings,
  public.bill_runs, public.bills, public.bill_lines, public.payment_intents, public.payment_intent_bills,
  public.payments, public.payment_bills, public.refunds
  to service_role;
grant select, insert, update, delete on billing.receipt_counters, billing.payment_events, billing.bill_reminders to service_role;

-- -------------------------------------------------------------------------------------
-- fee items, rule versions, settings (configuration)
-- -------------------------------------------------------------------------------------
grant select, delete on public.fee_items to authenticated;
grant insert (company_id, community_id, name, kind, billing_cycle, applies_to, bill_vacant, due_days, sort_order, active)
  on public.fee_items to authenticated;
grant update (name, kind, billing_cycle, applies_to, bill_vacant, due_days, sort_order, active) on public.fee_items to authenticated;

create policy fee_items_select on public.fee_items
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('bill.read'))::uuid[])
    or community_id = any ((select private.my_community_ids())::uuid[])
  );
create policy fee_items_insert on public.fee_items
  for insert to authenticated
  with check (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]));
create policy fee_items_update on public.fee_items
  for update to authenticated
  using (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]))
  with check (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]));
create policy fee_items_delete on public.fee_items
  for delete to authenticated
  using (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]));

grant select, delete on public.fee_rule_versions to authenticated;
grant insert (company_id, community_id, fee_item_id, effective_from, rule, note) on public.fee_rule_versions to authenticated;
create policy fee_rule_versions_select on public.fee_rule_versions
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('bill.read'))::uuid[])
    or community_id = any ((select private.my_community_ids())::uuid[])
  );
create policy fee_rule_versions_insert on public.fee_rule_versions
  for insert to authenticated
  with check (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]));
-- A version that priced a bill is history; only an unused one may be withdrawn
-- (billing.guard_billed_delete refuses the delete otherwise).
create policy fee_rule_versions_delete on public.fee_rule_versions
  for delete to authenticated
  using (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]));

grant select on public.billing_settings to authenticated;
grant insert (community_id, company_id, reminder_days, payee_name, seal_text) on public.billing_settings to authenticated;
grant update (reminder_days, payee_name, seal_text) on public.billing_settings to authenticated;
create policy billing_settings_select on public.billing_settings
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('bill.read'))::uuid[])
    or community_id = any ((select private.my_community_ids())::uuid[])
  );
create policy billing_settings_insert on public.billing_settings
  for insert to authenticated
  with check (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]));
create policy billing_settings_update on public.billing_settings
  for update to authenticated
  using (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]))
  with check (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]));

-- -------------------------------------------------------------------------------------
-- meters and readings
-- -------------------------------------------------------------------------------------
grant select on public.meters to authenticated;
grant insert (company_id, community_id, unit_id, fee_item_id, serial, multiplier, active) on public.meters to authenticated;
grant update (serial, multiplier, active) on public.meters to authenticated;
create policy meters_select on public.meters
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('bill.read'))::uuid[])
    or unit_id = any ((select private.household_unit_ids('bills.read'))::uuid[])
  );
create policy meters_insert on public.meters
  for insert to authenticated
  with check (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]));
create policy meters_update on public.meters
  for update to authenticated
  using (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]))
  with check (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]));

-- company_id/community_id are filled from the meter by trigger.
grant select, delete on public.meter_readings to authenticated;
grant insert (meter_id, read_on, reading, source) on public.meter_readings to authenticated;
grant update (reading) on public.meter_readings to authenticated;
create policy meter_readings_select on public.meter_readings
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('bill.read'))::uuid[])
    or meter_id in (select m.id from public.meters m)
  );
create policy meter_readings_insert on public.meter_readings
  for insert to authenticated
  with check (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]));
create policy meter_readings_update on public.meter_readings
  for update to authenticated
  using (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]))
  with check (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]));
create policy meter_readings_delete on public.meter_readings
  for delete to authenticated
  using (community_id = any ((select private.communities_with_permission('bill.manage'))::uuid[]));

-- -------------------------------------------------------------------------------------
-- bill runs, bills, lines (read-only for API users; written by billing.* functions)
-- -------------------------------------------------------------------------------------
grant select on public.bill_runs to authenticated;
create policy bill_runs_select on public.bill_runs
  for select to authenticated
  using (community_id = any ((select private.communities_with_permission('bill.read'))::uuid[]));

grant select on public.bills to authenticated;
create policy bills_select on public.bills
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('bill.read'))::uuid[])
    or unit_id = any ((select private.household_unit_ids('bills.read'))::uuid[])
  );

grant select on public.bill_lines to authenticated;
create policy bill_lines_select on public.bill_lines
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('bill.read'))::uuid[])
    or unit_id = any ((select private.household_unit_ids('bills.read'))::uuid[])
  );

-- -------------------------------------------------------------------------------------
-- checkouts, payments, refunds
-- -------------------------------------------------------------------------------------
grant select on public.payment_intents to authenticated;
create policy payment_intents_select on public.payment_intents
  for select to authenticated
  using (
    user_id = (select auth.uid())
    or community_id = any ((select private.communities_with_permission('bill.read'))::uuid[])
  );

grant select on public.payment_intent_bills to authenticated;
create policy payment_intent_bills_select on public.payment_intent_bills
  for select to authenticated
  using (intent_id in (select i.id from public.payment_intents i));

grant select on public.payments to authenticated;
create policy payments_select on public.payments
  for select to authenticated
  using (
    payer_user_id = (select auth.uid())
    or community_id = any ((select private.communities_with_permission('bill.read'))::uuid[])
    or community_id = any ((select private.communities_with_permission('payment.record'))::uuid[])
    or id in (
      select b.payment_id from public.bills b
      where b.unit_id = any ((select private.household_unit_ids('bills.read'))::uuid[]) and b.payment_id is not null
    )
  );

grant select on public.payment_bills to authenticated;
create policy payment_bills_select on public.payment_bills
  for select to authenticated
  using (payment_id in (select p.id from public.payments p));

grant select on public.refunds to authenticated;
create policy refunds_select on public.refunds
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('bill.read'))::uuid[])
    or community_id = any ((select private.communities_with_permission('payment.refund'))::uuid[])
    or payment_id in (select p.id from public.payments p where p.payer_user_id = (select auth.uid()))
  );

-- Staff see which reminders went out (server-only schema; read through this policy).
grant select on billing.bill_reminders to authenticated;
create policy bill_reminders_select on billing.bill_reminders
  for select to authenticated
  using (bill_id in (select b.id from public.bills b));
