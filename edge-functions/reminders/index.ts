import { createBillingDb } from '@shared/billing/db.ts';
import { platformEnv } from '@shared/env.ts';
import { createRemindersHandler } from './handler.ts';

const env = platformEnv();

Deno.serve(createRemindersHandler({ db: createBillingDb(env.SUPABASE_DB_URL, 2), env }));
