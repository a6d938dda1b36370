import { randomUUID } from 'node:crypto';
import { streams } from '@otp/contracts';
import type { ApiKeyPrincipal } from '@otp/platform/auth';
import type { Logger } from '@otp/platform/logging';
import type { CommandHandler } from '../handling/command-handler';
import { keyUseDecider, minuteOf } from './key-use-decider';

/** Past this many keys seen this minute the memory is dropped: at worst a key is recorded again, decided as nothing. */
const MAX_REMEMBERED_KEYS = 10_000;

/**
 * What the authenticator tells of each key that got in, turned into at most one
 * `ApiKeyUsed` per key per minute without an event (or a wait) per request: a
 * key already recorded this minute by this process costs a map lookup; the
 * first use in a minute appends in the background, and a failure is logged, not
 * the request's. Made once per process in the composition root: the map is
 * what the process keeps.
 */
export function createKeyUseRecorder({ commands, logger }: { commands: CommandHandler; logger: Logger }) {
  const recorded = new Map<string, string>();
  const pending = new Set<Promise<void>>();
  const record = (principal: ApiKeyPrincipal, at: Date): void => {
    const minute = minuteOf(at);
    if (recorded.get(principal.keyId) === minute) return;
    if (recorded.size >= MAX_REMEMBERED_KEYS) recorded.clear();
    recorded.set(principal.keyId, minute);
    const { customerId, keyId } = principal;
    const id = randomUUID();
    const ctx = {
      commandId: id,
      requestId: id,
      correlationId: id,
      causationId: id,
      tenantId: customerId,
      actor: `apiKey:${keyId}` as const,
      now: at,
    };
    const appended = commands
      .handle(streams.keyUse(customerId), keyUseDecider, { type: 'RecordKeyUse', customerId, keyId, now: at }, ctx)
      .then(
        () => undefined,
        (error: unknown) => {
          recorded.delete(keyId);
          logger.warn({ keyId, err: error instanceof Error ? error.message : String(error) }, 'could not record an api key use');
        },
      )
      .finally(() => pending.delete(appended));
    pending.add(appended);
  };
  return {
    record,
    /** Resolves once every use recorded so far is appended (or logged as failed): for shutdown and for specs. */
    idle: async (): Promise<void> => {
      await Promise.all([...pending]);
    },
  };
}
export type KeyUseRecorder = ReturnType<typeof createKeyUseRecorder>;
