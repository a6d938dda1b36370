import { randomUUID } from 'node:crypto';
import { streams, type Actor } from '@otp/contracts';
import type { RateLimitRefusal } from '@otp/platform/auth';
import type { Logger } from '@otp/platform/logging';
import type { CommandHandler } from '../handling/command-handler';
import { limitSubject, limitsDecider, type LimitCommand, type RecordQuotaExceeded } from './limits-decider';

/** Past this many subjects the memory is dropped: at worst a window is recorded again, decided as nothing. */
const MAX_REMEMBERED = 10_000;

/**
 * Refusals by a limit turned into at most one event per window: a window this
 * process already recorded costs a map lookup (a flood of refused requests
 * reads nothing and appends nothing); the first refusal in a window appends
 * in the background, through the limits decider, which decides between
 * processes. A failure is logged, never the request's. Made once per process.
 */
export function createLimitRecorder({ commands, logger }: { commands: CommandHandler; logger: Logger }) {
  const recorded = new Map<string, string>();
  const pending = new Set<Promise<void>>();

  const record = (command: LimitCommand, actor: Actor): void => {
    const { customerId, windowStart } = command.data;
    const noted = `${customerId}:${limitSubject(command)}`;
    const last = recorded.get(noted);
    if (last !== undefined && last >= windowStart) return;
    if (recorded.size >= MAX_REMEMBERED) recorded.clear();
    recorded.set(noted, windowStart);
    const id = randomUUID();
    const ctx = { commandId: id, requestId: id, correlationId: id, causationId: id, tenantId: customerId, actor, now: new Date() };
    const appended = commands
      .handle(streams.limits(customerId), limitsDecider, command, ctx)
      .then(
        () => undefined,
        (error: unknown) => {
          recorded.delete(noted);
          logger.warn({ customerId, err: error instanceof Error ? error.message : String(error) }, 'could not record a limit refusal');
        },
      )
      .finally(() => pending.delete(appended));
    pending.add(appended);
  };

  return {
    /** For the request guard: a key's or an end user's request rate refused a request. */
    rateLimited: ({ keyId, ...data }: RateLimitRefusal): void => record({ type: 'RecordRateLimitExceeded', data }, `apiKey:${keyId}`),
    quotaExceeded: (data: RecordQuotaExceeded['data'], actor: Actor): void => record({ type: 'RecordQuotaExceeded', data }, actor),
    /** Resolves once every refusal recorded so far is appended (or logged as failed): for shutdown and for specs. */
    idle: async (): Promise<void> => {
      await Promise.all([...pending]);
    },
  };
}
export type LimitRecorder = ReturnType<typeof createLimitRecorder>;
