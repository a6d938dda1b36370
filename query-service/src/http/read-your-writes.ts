import type { Request } from 'express';
import type { ReadModelProjection } from '@otp/contracts';
import { problems } from '@otp/platform/http';
import type { QueryDeps } from './query-deps';

const MAX_WAIT_MS = 2_000;

/**
 * Read models trail the event store by a few milliseconds. A client that just
 * wrote sends the position it got back (`X-Event-Position`) as
 * `X-Min-Position`; the read waits until the projection it reads has applied
 * it. Only that one: each projection follows the log on its own, and one that
 * is rebuilding or stopped need not hold up reads of the others.
 */
export async function awaitMinPosition(req: Request, deps: QueryDeps, projection: ReadModelProjection): Promise<void> {
  const header = req.header('x-min-position');
  if (header === undefined) return;
  if (!/^[0-9]{1,19}$/.test(header)) {
    throw problems.validation([{ path: 'X-Min-Position', message: 'must be a position returned in X-Event-Position' }]);
  }
  const reached = await deps.waitForPosition(projection, BigInt(header), MAX_WAIT_MS).catch(() => {
    throw problems.unavailable(`the ${projection} read model is not being updated; see /health/ready`);
  });
  if (!reached) throw problems.unavailable(`the ${projection} read model has not reached position ${header} yet; retry`);
}
