import type { Request } from 'express';
import type { ReadModelProjection } from '@otp/contracts';
import { problems } from '@otp/platform/http';
import type { QueryDeps } from './query-deps';

const MAX_WAIT_MS = 2_000;
export const OPERATOR_AUDIENCE = 'operator';

/**
 * Read models trail the event store by a few milliseconds. A client that just
 * wrote sends the token it got back (`X-Event-Position`) as `X-Min-Position`;
 * the read waits until the projection it reads has applied the position sealed
 * in it. Only that one: each projection follows the log on its own, and one that
 * is rebuilding or stopped need not hold up reads of the others.
 *
 * The token must have been issued to `audience` (the tenant reading) or to the
 * operator, whose writes (a registration) a tenant may be handed: any other, a
 * raw position among them, is refused alike, so a tenant cannot probe how far
 * the log has grown by asking to wait for numbers, nor use another tenant's.
 */
export async function awaitMinPosition(req: Request, deps: QueryDeps, projection: ReadModelProjection, audience: string): Promise<void> {
  const header = req.header('x-min-position');
  if (header === undefined) return;
  const position = deps.consistency.open(audience, header) ?? deps.consistency.open(OPERATOR_AUDIENCE, header);
  if (position === undefined) {
    throw problems.validation([{ path: 'X-Min-Position', message: 'must be a token this caller got back in X-Event-Position' }]);
  }
  const reached = await deps.waitForPosition(projection, position, MAX_WAIT_MS).catch(() => {
    throw problems.unavailable(`the ${projection} read model is not being updated; see /health/ready`);
  });
  if (!reached) throw problems.unavailable(`the ${projection} read model has not caught up with that write yet; retry`);
}
