import { assertEquals } from '../_testing/assert.ts';
import { scriptedDb } from '../_testing/billing-fakes.ts';
import { createRemindersHandler } from './handler.ts';

const env = { SUPABASE_SECRET_KEYS: { default: 'sb_secret_test' } };

Deno.test('reminders need the project secret key', async () => {
  const db = scriptedDb(() => []);
  const res = await createRemindersHandler({ db, env })(
    new Request('http://local/reminders', { method: 'POST', body: '{}' }),
  );
  assertEquals(res.status, 401);
  await res.body?.cancel();
  assertEquals(db.calls.length, 0);
});

Deno.test('reminders run billing.send_due_reminders as the service role for the given day', async () => {
  const db = scriptedDb(() => [{ reminders: 12, notifications: 9 }]);
  const res = await createRemindersHandler({ db, env })(
    new Request('http://local/reminders', {
      method: 'POST',
      headers: { apikey: 'sb_secret_test' },
      body: JSON.stringify({ today: '2026-12-08', scheduled_at: '2026-12-08T01:00:00Z' }),
    }),
  );
  assertEquals(await res.json(), { ok: true, reminders: 12, notifications: 9 });
  assertEquals(db.calls[0].role, 'service');
  assertEquals(db.calls[0].values, ['2026-12-08']);
});
