import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { Actor } from '@otp/contracts';
import type { CommandContext } from '../handling/command-context';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The metadata of a command caused by this request. The command id is ours: a client-sent request id need not be unique. */
export function commandContext(req: Request, actor: Actor, tenantId: string): CommandContext {
  const correlation = req.header('x-correlation-id');
  const userAgent = req.header('user-agent');
  return {
    commandId: randomUUID(),
    requestId: req.id,
    correlationId: correlation && SAFE_ID.test(correlation) ? correlation : req.id,
    causationId: req.id,
    tenantId,
    actor,
    now: new Date(),
    ...(req.ip ? { clientIp: req.ip } : {}),
    ...(userAgent ? { userAgent: userAgent.slice(0, 512) } : {}),
  };
}

/** Tells the caller how far the store got (sealed, see `with-position.ts`), so a read can ask to see at least that much (`X-Min-Position`). */
export const POSITION_HEADER = 'X-Event-Position';
