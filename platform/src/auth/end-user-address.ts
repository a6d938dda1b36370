import { isIP } from 'node:net';
import type { Request } from 'express';
import { problems } from '../http/problem-error';
import { plainAddress } from '../limits/ip-allowlist';
import type { ApiKeyPrincipal } from './api-key-authenticator';

/** The header a tenant's backend names its end user's address with, on a secret key's request. */
export const END_USER_IP_HEADER = 'X-End-User-IP';

/**
 * The end user's address behind a request, where it is known: a publishable
 * key is used from the end user's browser, so the client address is the end
 * user's; a secret key's backend may pass it in `X-End-User-IP`. Anyone may
 * send the header, so it counts only from a secret key (a browser holding a
 * publishable key could otherwise pick a fresh address per request and escape
 * its own limit).
 */
export function endUserAddress(req: Request, principal: ApiKeyPrincipal): string | undefined {
  if (principal.kind === 'publishable') return req.ip === undefined ? undefined : plainAddress(req.ip);
  const named = req.header(END_USER_IP_HEADER);
  if (named === undefined) return undefined;
  const value = named.trim();
  if (isIP(value) === 0) {
    throw problems.validation([{ path: `header.${END_USER_IP_HEADER}`, message: 'not an IPv4 or IPv6 address' }]);
  }
  return plainAddress(value);
}
