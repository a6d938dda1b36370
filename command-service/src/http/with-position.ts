import type { Response } from 'express';
import type { ConsistencyTokens } from '@otp/platform/crypto';
import type { CommandContext } from '../handling/command-context';
import { POSITION_HEADER } from './command-context-from-request';

/** Whom a write's token is for: the operator, or the tenant the write was made for. */
export const tokenAudience = ({ actor, tenantId }: Pick<CommandContext, 'actor' | 'tenantId'>): string =>
  actor === 'operator' ? 'operator' : tenantId;

/**
 * Sets `X-Event-Position` when the command appended anything: an opaque consistency token
 * (`@otp/platform/crypto`), never the global position itself, which would tell a tenant how
 * many events everyone else wrote between two of its writes.
 */
export function withPosition(
  res: Response,
  tokens: ConsistencyTokens,
  ctx: Pick<CommandContext, 'actor' | 'tenantId'>,
  position: bigint | undefined,
): Response {
  if (position !== undefined) res.setHeader(POSITION_HEADER, tokens.issue(tokenAudience(ctx), position));
  return res;
}
