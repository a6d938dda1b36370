import type { Request } from 'express';
import { problems } from './problem-error';

/** The bearer credential of a request, or a 401 problem. */
export function bearerToken(req: Request): string {
  const header = req.header('authorization');
  if (!header) throw problems.unauthenticated('send Authorization: Bearer <credential>');
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  if (!match) throw problems.unauthenticated('the Authorization header must be Bearer <credential>');
  return match[1]!;
}
