import { streams, type IssuedApiKey, type Scope } from '@otp/contracts';
import { apiKeyHash } from '@otp/platform/crypto';
import { customerDecider } from './customer-decider';
import { newApiKey } from './new-api-key';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';

/** A tenant adds a key with the scopes it chooses (least privilege for each of its apps). Shown once. */
export async function issueApiKey(
  deps: CommandDeps,
  input: { customerId: string; scopes: Scope[]; name?: string },
  ctx: CommandContext,
): Promise<IssuedApiKey & { position: bigint | undefined }> {
  const { keyId, prefix, key } = newApiKey(input.customerId);
  const handled = await deps.commands.handle(
    streams.customer(input.customerId),
    customerDecider,
    {
      type: 'IssueApiKey',
      customerId: input.customerId,
      keyId,
      prefix,
      keyHash: apiKeyHash(deps.hashKey, key),
      scopes: input.scopes,
      ...(input.name !== undefined ? { name: input.name } : {}),
      now: ctx.now,
    },
    ctx,
  );
  const named = input.name !== undefined ? { name: input.name } : {};
  return { id: keyId, key, prefix, scopes: input.scopes, ...named, position: handled.position };
}
