import { platformEnv } from '@shared/env.ts';
import { createHealthHandler } from './handler.ts';

platformEnv();

Deno.serve(createHealthHandler({ now: () => new Date() }));
