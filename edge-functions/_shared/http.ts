/**
 * JSON responses and errors. A function body throws `HttpError` (or lets a `ZodError`
 * escape from input parsing) and `handleErrors` turns it into `{ code, message }` with the
 * right status; anything else is logged and answered with a generic 500, never a stack trace.
 */
import { z } from 'zod';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** Stable, machine-readable; clients map it to a translated message. */
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('Content-Type', 'application/json');
  return new Response(JSON.stringify(body), { ...init, headers });
}

export function errorResponse(err: unknown): Response {
  if (err instanceof HttpError) {
    return json(
      {
        code: err.code,
        message: err.message,
        ...(err.details === undefined ? {} : { details: err.details }),
      },
      { status: err.status },
    );
  }
  if (err instanceof z.ZodError) {
    return json(
      { code: 'invalid_request', message: 'The request is not valid.', details: err.issues },
      { status: 400 },
    );
  }
  console.error(err);
  return json({ code: 'internal_error', message: 'Internal error.' }, { status: 500 });
}

export type Handler = (req: Request) => Response | Promise<Response>;

/** Wraps a handler so that thrown errors become JSON error responses. */
export function handleErrors(handler: Handler): Handler {
  return async (req) => {
    try {
      return await handler(req);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/** Reads a JSON body and validates it; a body that is not JSON is a 400, not a 500. */
export async function readJson<T extends z.ZodTypeAny>(req: Request, schema: T): Promise<z.infer<T>> {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body must be JSON.');
  }
  return schema.parse(body);
}
