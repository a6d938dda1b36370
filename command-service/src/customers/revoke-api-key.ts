import { streams } from '@otp/contracts';
import { customerDecider } from './customer-decider';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';

/** The key stops working at once, on every instance: each reads the customer stream before it lets a key in. */
export async function revokeApiKey(
  deps: CommandDeps,
  input: { customerId: string; keyId: string },
  ctx: CommandContext,
): Promise<{ position: bigint | undefined }> {
  const handled = await deps.commands.handle(
    streams.customer(input.customerId),
    customerDecider,
    { type: 'RevokeApiKey', customerId: input.customerId, keyId: input.keyId, now: ctx.now },
    ctx,
  );
  return { position: handled.position };
}
