// @ts-check
// Test fixture: echoes the request, the caller and which platform variables it received.
import { callerFromVerifiedJwt } from '@shared/auth.ts';
import { platformEnv, readEnv } from '@shared/env.ts';
import { z } from 'zod';

const env = platformEnv();
const secrets = readEnv(z.object({ FIXTURE_GREETING: z.string() }));
const present = (/** @type {unknown} */ v) => v !== undefined && v !== '';

Deno.serve(async (req) => {
  const url = new URL(req.url);
  const status = url.searchParams.get('status');
  if (status)
    return Response.json(
      { code: 'fixture_error', message: `asked for ${status}` },
      { status: Number(status) },
    );
  if (url.searchParams.has('exit')) Deno.exit(3);
  if (url.searchParams.has('stream')) {
    const encoder = new TextEncoder();
    const body = new ReadableStream({
      async start(controller) {
        for (let i = 1; i <= 3; i++) {
          controller.enqueue(encoder.encode(`data: ${i}\n\n`));
          await new Promise((r) => setTimeout(r, 20));
        }
        controller.close();
      },
    });
    return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
  }
  const type = req.headers.get('content-type') ?? '';
  if (type === 'application/octet-stream') {
    return new Response(await req.arrayBuffer(), { headers: { 'Content-Type': 'application/octet-stream' } });
  }
  const caller = callerFromVerifiedJwt(req);
  return Response.json(
    {
      method: req.method,
      path: url.pathname,
      search: url.search,
      body: type.includes('json') ? await req.json() : await req.text(),
      role: caller.role,
      userId: caller.userId ?? null,
      greeting: secrets.FIXTURE_GREETING,
      pid: Deno.pid,
      env: {
        SUPABASE_URL: env.SUPABASE_URL,
        SUPABASE_DB_URL: present(env.SUPABASE_DB_URL),
        SUPABASE_ANON_KEY: present(env.SUPABASE_ANON_KEY),
        SUPABASE_SERVICE_ROLE_KEY: present(env.SUPABASE_SERVICE_ROLE_KEY),
        SUPABASE_PUBLISHABLE_KEYS: Object.keys(env.SUPABASE_PUBLISHABLE_KEYS ?? {}),
        SUPABASE_SECRET_KEYS: Object.keys(env.SUPABASE_SECRET_KEYS ?? {}),
      },
    },
    { headers: { 'X-Fixture': 'echo' } },
  );
});
