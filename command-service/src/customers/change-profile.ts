import { streams, type UpdateCustomerBody } from '@otp/contracts';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { customerDecider } from './customer-decider';

/** The tenant renames itself or names another contact address; GET /v1/customer shows it once projected. */
export async function changeProfile(
  deps: CommandDeps,
  input: { customerId: string } & UpdateCustomerBody,
  ctx: CommandContext,
): Promise<{ position: bigint | undefined }> {
  const { position } = await deps.commands.handle(
    streams.customer(input.customerId),
    customerDecider,
    { type: 'ChangeProfile', ...input, now: ctx.now },
    ctx,
  );
  return { position };
}
