import type { Response } from 'express';

/** Lines are gathered up to this many characters per write: one chunk and one syscall for many short lines. */
const WRITE_CHARS = 64 * 1024;

/**
 * Streams `lines` as NDJSON with backpressure: when the socket's buffer is full (`write`
 * answers false) no further line is taken from `lines` until it drains, so a client that
 * stops reading stops whatever produces them. A client that goes away ends the iteration
 * (its `finally` runs). A failure after the first bytes cannot become a problem answer any
 * more: the response is destroyed, so the client sees a cut stream instead of a clean end.
 */
export async function sendNdjson(res: Response, lines: AsyncIterable<unknown>): Promise<void> {
  res.status(200).type('application/x-ndjson');
  let buffered = '';
  try {
    for await (const line of lines) {
      buffered += `${JSON.stringify(line)}\n`;
      if (buffered.length < WRITE_CHARS) continue;
      const open = await write(res, buffered);
      buffered = '';
      if (!open) return;
    }
    if (buffered && !(await write(res, buffered))) return;
    res.end();
  } catch (error) {
    if (!res.headersSent) throw error;
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Writes `chunk`; resolves true once the socket may take more, false when the client is gone. */
function write(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (open: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(open);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
