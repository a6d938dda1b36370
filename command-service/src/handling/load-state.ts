import { parseEvent, type DomainEvent } from '@otp/contracts';
import type { EventStore, RecordedEvent } from '@otp/platform/event-store';
import type { Decider } from './decider';
import { streamStateCacheOf } from './stream-state-cache';

type Folder<S, E extends DomainEvent> = Pick<Decider<unknown, S, E>, 'initialState' | 'evolve'>;

export interface LoadedState<S> {
  state: S;
  /** Revision of the stream's last event; undefined when the stream does not exist. */
  revision: bigint | undefined;
}

/** The state a stream's events lead to from `initial`; each event is validated (and upcast) as it is read back. */
function foldStream<S, E extends DomainEvent>(recorded: RecordedEvent[], decider: Folder<S, E>, initial: S = decider.initialState()): S {
  let state = initial;
  for (const event of recorded) state = decider.evolve(state, parseEvent(event.type, event.data, Number(event.metadata.schemaVersion ?? 1)) as E);
  return state;
}

/**
 * A stream's current state: the cached fold (if any) plus whatever the store
 * holds after it. Always asks the store, so other writers are never missed.
 */
export async function loadState<S, E extends DomainEvent>(eventStore: EventStore, streamName: string, decider: Folder<S, E>): Promise<LoadedState<S>> {
  const cache = streamStateCacheOf(eventStore);
  const cached = cache.get<S>(streamName, decider);
  const newer = await eventStore.readStream(streamName, cached ? { after: cached.revision } : {});
  const last = newer[newer.length - 1];
  if (!last) return cached ?? { state: decider.initialState(), revision: undefined };
  const state = foldStream(newer, decider, cached ? cached.state : decider.initialState());
  cache.remember(streamName, decider, last.revision, state);
  return { state, revision: last.revision };
}

/** Records the state an append of ours led to, so the next command on the stream starts from it. */
export function rememberState(eventStore: EventStore, streamName: string, decider: object, revision: bigint, state: unknown): void {
  streamStateCacheOf(eventStore).remember(streamName, decider, revision, state);
}
