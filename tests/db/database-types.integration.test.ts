import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDatabaseTypes, TYPES_FILE } from '../../scripts/gen-db-types';
import { createTestDatabase } from '../support/platform';

/** The committed `app/lib/database.types.ts` must match what the migrations produce. */

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

it('app/lib/database.types.ts is up to date with the migrations (run `npx tsx scripts/gen-db-types.ts`)', async () => {
  const generated = await generateDatabaseTypes(db.url);
  expect(fs.readFileSync(TYPES_FILE, 'utf8')).toBe(generated);
});
