import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { z } from 'zod';

/** The TXT values published at a name, each record's strings joined (a long value is split in 255-byte strings). */
export type TxtLookup = (name: string) => Promise<string[]>;

/** DNS did not answer (timeout, refusal, server failure): not the same as "no such record", so not a verdict. */
export class DnsLookupError extends Error {
  override readonly name = 'DnsLookupError';
}

// Answers that mean the name holds no TXT record: the domain is simply not verified yet.
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA', 'ENONAME']);

const server = (entry: string): boolean => {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry);
  if (bracketed) return isIP(bracketed[1]!) === 6 && (bracketed[2] === undefined || Number(bracketed[2]) <= 65_535);
  if (isIP(entry) !== 0) return true;
  const [host = '', port = ''] = entry.split(':');
  return isIP(host) === 4 && /^\d{1,5}$/.test(port) && Number(port) <= 65_535;
};

/**
 * `DNS_RESOLVER`: the resolvers the domain checks ask, comma-separated (`10.0.0.2`,
 * `127.0.0.1:5353`, `[::1]:53`); unset, the system's. Addresses only: a resolver
 * named by a host name would need a resolver to be found.
 */
export const DnsResolverEnv = {
  DNS_RESOLVER: z
    .string()
    .optional()
    .transform((value) => value?.split(',').map((entry) => entry.trim()))
    .refine((entries) => entries === undefined || (entries.length > 0 && entries.every(server)), {
      message: 'must be IP addresses with optional ports, comma-separated (e.g. 127.0.0.1:5353 or [::1]:53)',
    }),
};

/**
 * TXT lookups through node's resolver (c-ares: real DNS queries, not the
 * system's getaddrinfo), sent to the configured servers when given. A few
 * seconds and two tries at most: a verify request waits for it.
 */
export function createTxtLookup(options: { servers?: string[] | undefined; timeoutMs?: number } = {}): TxtLookup {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 2_000, tries: 2 });
  if (options.servers) resolver.setServers(options.servers);
  return async (name) => {
    try {
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (NO_RECORD.has(code)) return [];
      throw new DnsLookupError(`the TXT lookup of ${name} failed (${code || 'unknown error'})`);
    }
  };
}
