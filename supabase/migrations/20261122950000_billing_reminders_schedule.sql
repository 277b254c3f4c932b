-- =====================================================================================
-- Billing reminders schedule (issue #8)
--
-- Every day at 09:00 Beijing time (01:00 UTC) the `reminders` Edge Function sends the due
-- reminders (N days before the due date per community, on the due date, and once overdue;
-- once per bill and offset, see billing.send_due_reminders). The function is idempotent for
-- its day, so a job run twice or caught up after downtime notifies nobody twice.
-- Same SQL on hosted (pg_cron + pg_net) and locally (the platform's stand-ins); the Vault
-- secrets project_url and secret_key are set per project (docs/functions.md).
-- =====================================================================================

create extension if not exists pg_cron with schema pg_catalog;
create extension if not exists pg_net;

select cron.schedule(
  'billing-reminders-daily',
  '0 1 * * *',
  $job$
    select net.http_post(
      url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url')
             || '/functions/v1/reminders',
      headers := jsonb_build_object(
        'Content-Type', 'application/json',
        'apikey', (select decrypted_secret from vault.decrypted_secrets where name = 'secret_key')
      ),
      body := jsonb_build_object('scheduled_at', now())
    );
  $job$
);
