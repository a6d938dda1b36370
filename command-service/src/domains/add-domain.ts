import { streams, verificationRecordName, verificationRecordValue, type DomainSummary } from '@otp/contracts';
import { randomToken } from '@otp/platform/crypto';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { domainDecider } from './domain-decider';
import { domainSummary } from './domain-summary';

/**
 * A tenant claims a domain and gets the TXT record that proves it holds it. The
 * token is 256 random bits: not a secret (it is published in DNS), but one no
 * other tenant can guess and publish first. Asking again answers the same record.
 */
export async function addDomain(
  deps: CommandDeps,
  input: { customerId: string; domain: string },
  ctx: CommandContext,
): Promise<{ domain: DomainSummary; added: boolean; position: bigint | undefined }> {
  const { customerId, domain } = input;
  const command = {
    type: 'AddDomain' as const,
    customerId,
    domain,
    recordName: verificationRecordName(domain),
    recordValue: verificationRecordValue(randomToken(32)),
    now: ctx.now,
  };
  const handled = await deps.commands.handle(streams.customer(customerId), domainDecider, command, ctx);
  const known = handled.state.domains.get(domain);
  if (!known) throw new Error('adding a domain decided no DomainAdded and found none');
  return { domain: domainSummary(known), added: handled.events.length > 0, position: handled.position };
}
