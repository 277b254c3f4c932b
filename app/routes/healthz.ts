/** Liveness probe for the orchestrator and Playwright's webServer. */
export function loader() {
  return Response.json({ ok: true }, { headers: { 'Cache-Control': 'no-store' } });
}
