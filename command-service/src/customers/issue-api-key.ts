import { PUBLISHABLE_SCOPES, streams, type ApiKeyKind, type IssuedApiKey, type Scope } from '@otp/contracts';
import { apiKeyHash } from '@otp/platform/crypto';
import { customerDecider } from './customer-decider';
import { newApiKey } from './new-api-key';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';

/**
 * A tenant adds a key with the scopes it chooses (least privilege for each of its apps), or a
 * publishable key for its web pages, which holds `otp:write` alone. Shown once.
 */
export async function issueApiKey(
  deps: CommandDeps,
  input: { customerId: string; scopes?: Scope[] | undefined; name?: string | undefined; kind?: ApiKeyKind },
  ctx: CommandContext,
): Promise<IssuedApiKey & { position: bigint | undefined }> {
  const kind = input.kind ?? 'secret';
  const scopes = input.scopes ?? (kind === 'publishable' ? [...PUBLISHABLE_SCOPES] : []);
  const { keyId, prefix, key } = newApiKey(input.customerId, kind);
  const handled = await deps.commands.handle(
    streams.customer(input.customerId),
    customerDecider,
    {
      type: 'IssueApiKey',
      customerId: input.customerId,
      keyId,
      prefix,
      keyHash: apiKeyHash(deps.hashKey, key),
      scopes,
      ...(input.name !== undefined ? { name: input.name } : {}),
      kind,
      now: ctx.now,
    },
    ctx,
  );
  const named = input.name !== undefined ? { name: input.name } : {};
  return { id: keyId, key, prefix, scopes, ...named, kind, position: handled.position };
}
