import { currentSchemaVersion, parseEvent, type DomainEvent } from '@otp/contracts';
import { uuidFromTimeAndName } from '@otp/platform/crypto';
import {
  loadState,
  rememberState,
  WrongExpectedRevisionError,
  type EventStore,
  type EventToAppend,
  type Fold,
  type StreamStateCache,
} from '@otp/platform/event-store';
import type { Decider } from './decider';
import type { CommandContext } from './command-context';
import { StreamQueue } from './stream-queue';

export interface Handled<S, E> {
  /** The events this command appended (empty when the decision was to do nothing). */
  events: E[];
  /** State after the new events. */
  state: S;
  /** Global position of the last event appended, for read-your-writes on the query side. */
  position: bigint | undefined;
}

export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
}

export const MAX_CONFLICT_RETRIES = 3;

export interface CommandHandlerOptions {
  eventStore: EventStore;
  /** The process's one cache of folded streams, shared with whatever else folds them (the API-key check). */
  states: StreamStateCache;
}

/**
 * The one way commands run: read the stream, fold it, decide, append with the
 * revision just read. Commands on one stream run one at a time in this
 * process; a conflict then means another process wrote in between: decide
 * again on the new state, a bounded number of times. The fold starts from the
 * state this process last saw (the state cache), so only newer events are read.
 *
 * Made once per process in the composition root: the queue and the cache are
 * what the process keeps, so two handlers would let commands on one stream race.
 */
export function createCommandHandler({ eventStore, states }: CommandHandlerOptions) {
  const queue = new StreamQueue();
  return {
    /**
     * A stream's state as this process knows it, brought up to date from the store (only the newer
     * events are read): for checks that decide nothing, such as whether a token's session still holds.
     */
    async read<S, E extends DomainEvent>(streamName: string, fold: Fold<S, E>): Promise<S> {
      return (await loadState(eventStore, states, streamName, fold)).state;
    },
    /**
     * Every event of a stream, oldest first, each validated and upcast: for reads of its past (a
     * config's earlier versions), which the cache, holding only the newest state, cannot answer.
     */
    async history<E extends DomainEvent>(streamName: string): Promise<E[]> {
      const recorded = await eventStore.readStream(streamName);
      return recorded.map((e) => parseEvent(e.type, e.data, Number(e.metadata['schemaVersion'] ?? 1)) as E);
    },
    /**
     * `command` may be a function of the state, for commands whose inputs depend on
     * it (the presented code's hash is bound to the current challenge id); a list
     * of commands is decided in order over one state and appended together.
     */
    handle<C, S, E extends DomainEvent>(
      streamName: string,
      decider: Decider<C, S, E>,
      command: C | C[] | ((state: S) => C | C[]),
      context: CommandContext,
    ): Promise<Handled<S, E>> {
      return queue.run(streamName, async () => {
        for (let attempt = 0; ; attempt++) {
          const { state, revision } = await loadState(eventStore, states, streamName, decider);
          const resolved = typeof command === 'function' ? (command as (s: S) => C | C[])(state) : command;
          const commands = Array.isArray(resolved) ? resolved : [resolved];

          let next = state;
          const events: E[] = [];
          for (const c of commands) {
            const decided = decider.decide(c, next);
            next = decided.reduce(decider.evolve, next);
            events.push(...decided);
          }
          if (events.length === 0) return { events, state: next, position: undefined };

          const expected = revision ?? 'no_stream';
          try {
            const result = await eventStore.append(
              streamName,
              events.map((e, i) => toAppend(e, i, streamName, context)),
              expected,
            );
            // Where our events landed right after the revision we decided on, `next` is the stream's state.
            if (result.nextExpectedRevision === (revision ?? -1n) + BigInt(events.length)) {
              rememberState(states, streamName, decider, result.nextExpectedRevision, next);
            }
            return { events, state: next, position: result.position };
          } catch (error) {
            if (!(error instanceof WrongExpectedRevisionError)) throw error;
            if (attempt >= MAX_CONFLICT_RETRIES) {
              throw new ConcurrencyError(`stream ${streamName} kept changing; gave up after ${attempt + 1} attempts`);
            }
          }
        }
      });
    },
  };
}
export type CommandHandler = ReturnType<typeof createCommandHandler>;

function toAppend(event: DomainEvent, index: number, streamName: string, ctx: CommandContext): EventToAppend {
  return {
    id: uuidFromTimeAndName(ctx.now, `${ctx.commandId}/${streamName}/${index}`),
    type: event.type,
    data: event.data,
    metadata: {
      schemaVersion: currentSchemaVersion[event.type],
      occurredAt: ctx.now.toISOString(),
      tenantId: ctx.tenantId,
      actor: ctx.actor,
      correlationId: ctx.correlationId,
      causationId: ctx.causationId,
      requestId: ctx.requestId,
      ...(ctx.clientIp ? { clientIp: ctx.clientIp } : {}),
      ...(ctx.userAgent ? { userAgent: ctx.userAgent } : {}),
    },
  };
}
