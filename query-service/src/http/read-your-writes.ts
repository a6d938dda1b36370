import type { Request } from 'express';
import { problems } from '@otp/platform/http';
import type { QueryDeps } from './query-deps';

const MAX_WAIT_MS = 2_000;

/**
 * Read models trail the event store by a few milliseconds. A client that just
 * wrote sends the position it got back (`X-Event-Position`) as
 * `X-Min-Position`; the read waits until the projections have applied it.
 */
export async function awaitMinPosition(req: Request, deps: QueryDeps): Promise<void> {
  const header = req.header('x-min-position');
  if (header === undefined) return;
  if (!/^[0-9]{1,19}$/.test(header)) {
    throw problems.validation([{ path: 'X-Min-Position', message: 'must be a position returned in X-Event-Position' }]);
  }
  const reached = await deps.waitForPosition(BigInt(header), MAX_WAIT_MS).catch(() => {
    throw problems.unavailable('the read models are not being updated; see /health/ready');
  });
  if (!reached) throw problems.unavailable(`read models have not reached position ${header} yet; retry`);
}
