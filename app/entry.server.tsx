import { Transform } from 'node:stream';
import {
  createReadableStreamFromReadable,
  type EntryContext,
  type HandleDataRequestFunction,
  type HandleErrorFunction,
} from '@remix-run/node';
import { RemixServer } from '@remix-run/react';
import { isbot } from 'isbot';
import { renderToPipeableStream } from 'react-dom/server';
import { publicEnv } from '~/lib/env.server';
import { logger } from '~/lib/logger.server';

export const streamTimeout = 5_000;

// Lets code shared with the browser call getPublicEnv() during server rendering.
globalThis.ENV = publicEnv();

/**
 * React 18.3's Node renderer flushes its full 2048-byte buffer, unwritten tail included, when the
 * next multi-byte character (any Chinese text) does not fit at its end, so NUL bytes leak into
 * the HTML. Fixed upstream only in React 19 (facebook/react#26228); trim that padding meanwhile.
 */
function trimReactBufferPadding() {
  const viewSize = 2048;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      let end = chunk.length;
      if (end === viewSize) while (end > viewSize - 3 && chunk[end - 1] === 0) end--;
      callback(null, end === chunk.length ? chunk : chunk.subarray(0, end));
    },
  });
}

function requestFields(request: Request) {
  return { method: request.method, path: new URL(request.url).pathname };
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  // Loaders have already run when Remix calls this, so `ms` measures rendering up to the first byte.
  const startedAt = performance.now();
  const waitForAll = isbot(request.headers.get('user-agent') ?? '') || remixContext.isSpaMode;

  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [waitForAll ? 'onAllReady' : 'onShellReady']() {
        shellRendered = true;
        const body = trimReactBufferPadding();
        responseHeaders.set('Content-Type', 'text/html; charset=utf-8');
        resolve(
          new Response(createReadableStreamFromReadable(body), {
            headers: responseHeaders,
            status: responseStatusCode,
          }),
        );
        pipe(body);
        logger.info(
          {
            ...requestFields(request),
            status: responseStatusCode,
            ms: Math.round(performance.now() - startedAt),
          },
          'document',
        );
      },
      onShellError(error: unknown) {
        reject(error);
      },
      onError(error: unknown) {
        responseStatusCode = 500;
        // Errors before the shell is ready reject the promise and reach handleError instead.
        if (shellRendered) logger.error({ err: error, ...requestFields(request) }, 'streaming render failed');
      },
    });
    setTimeout(abort, streamTimeout + 1_000);
  });
}

export const handleDataRequest: HandleDataRequestFunction = (response, { request }) => {
  logger.info({ ...requestFields(request), status: response.status }, 'data');
  return response;
};

export const handleError: HandleErrorFunction = (error, { request }) => {
  // A client that navigated away aborts its request; that is not a server fault.
  if (request.signal.aborted) return;
  logger.error({ err: error, ...requestFields(request) }, 'unhandled server error');
};
