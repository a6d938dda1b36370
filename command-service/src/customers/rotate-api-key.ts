import { customerFold, streams, type RotatedApiKey } from '@otp/contracts';
import { apiKeyHash } from '@otp/platform/crypto';
import { tenantConfigOf } from '../tenant-config/tenant-config-of';
import { customerDecider } from './customer-decider';
import { newApiKey } from './new-api-key';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';

/** A new key with the old one's scopes and name, shown once; the old one works until the grace ends. */
export async function rotateApiKey(
  deps: CommandDeps,
  input: { customerId: string; keyId: string; graceSeconds?: number },
  ctx: CommandContext,
): Promise<RotatedApiKey & { position: bigint | undefined }> {
  // A key's kind never changes, so reading it before the command cannot race: the heir is drawn of the same kind.
  const current = await deps.commands.read(streams.customer(input.customerId), customerFold);
  const { keyId: newKeyId, prefix, key } = newApiKey(input.customerId, current.keys.get(input.keyId)?.kind);
  // The tenant's default grace unless the request names one.
  const graceSeconds = input.graceSeconds ?? (await tenantConfigOf(deps, input.customerId)).apiKeys.rotationGraceSeconds;
  const handled = await deps.commands.handle(
    streams.customer(input.customerId),
    customerDecider,
    {
      type: 'RotateApiKey',
      customerId: input.customerId,
      keyId: input.keyId,
      newKeyId,
      prefix,
      keyHash: apiKeyHash(deps.hashKey, key),
      graceSeconds,
      now: ctx.now,
    },
    ctx,
  );
  const rotated = handled.events[0];
  if (rotated?.type !== 'ApiKeyRotated') throw new Error('rotation decided no ApiKeyRotated event');
  const { scopes, name, graceEndsAt, kind } = rotated.data;
  const named = name !== undefined ? { name } : {};
  return {
    id: newKeyId,
    key,
    prefix,
    scopes,
    ...named,
    kind: kind ?? 'secret',
    replaces: input.keyId,
    graceEndsAt,
    position: handled.position,
  };
}
