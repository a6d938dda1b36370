import { customerFold, streams, type DomainSummary } from '@otp/contracts';
import { DnsLookupError } from '@otp/platform/dns';
import { problems } from '@otp/platform/http';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { domainDecider } from './domain-decider';
import { domainSummary } from './domain-summary';

/**
 * Looks the domain's TXT record up through DNS and lets the decider judge what
 * was found. The record's name is read from the stream first (it never changes
 * once added); a domain already verified or never added is decided without a
 * lookup. A resolver that does not answer is a 503, not a verdict on the domain.
 */
export async function verifyDomain(
  deps: CommandDeps,
  input: { customerId: string; domain: string },
  ctx: CommandContext,
): Promise<{ domain: DomainSummary; position: bigint | undefined }> {
  const { customerId, domain } = input;
  const known = (await deps.commands.read(streams.customer(customerId), customerFold)).domains.get(domain);
  const found = known?.status === 'pending' ? await lookup(deps, known.recordName) : [];
  const command = { type: 'VerifyDomain' as const, customerId, domain, found, now: ctx.now };
  const handled = await deps.commands.handle(streams.customer(customerId), domainDecider, command, ctx);
  const verified = handled.state.domains.get(domain);
  if (!verified) throw new Error('a domain was verified that the stream does not hold');
  return { domain: domainSummary(verified), position: handled.position };
}

async function lookup(deps: CommandDeps, name: string): Promise<string[]> {
  try {
    return await deps.lookupTxt(name);
  } catch (error) {
    if (!(error instanceof DnsLookupError)) throw error;
    deps.logger.warn({ err: error.message }, 'dns lookup failed');
    throw problems.unavailable('the DNS lookup did not answer; retry shortly');
  }
}
