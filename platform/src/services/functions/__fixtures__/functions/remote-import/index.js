// Test fixture: a remote import. The local runtime refuses it (no downloads) instead of fetching it.
import 'https://deno.land/std@0.224.0/http/status.ts';

Deno.serve(() => new Response('unreachable'));
