import type { Response } from 'express';
import { POSITION_HEADER } from './command-context-from-request';

/** Sets `X-Event-Position` when the command appended anything. */
export function withPosition(res: Response, position: bigint | undefined): Response {
  if (position !== undefined) res.setHeader(POSITION_HEADER, position.toString());
  return res;
}
