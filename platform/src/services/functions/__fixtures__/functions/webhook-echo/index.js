// @ts-check
// Test fixture: verify_jwt = false, like a payment provider's webhook.
Deno.serve(async (req) =>
  Response.json({
    ok: true,
    method: req.method,
    body: await req.text(),
    hasApikey: req.headers.has('apikey'),
  }),
);
