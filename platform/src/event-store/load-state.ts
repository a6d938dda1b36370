import { parseEvent, type DomainEvent } from '@otp/contracts';
import type { EventStore, RecordedEvent } from './port';
import type { StreamStateCache } from './stream-state-cache';

/** How a stream's events fold into a state: a decider is one, and so is a reader that needs only the fold. */
export interface Fold<S, E extends DomainEvent> {
  initialState: () => S;
  evolve: (state: S, event: E) => S;
}

export interface LoadedState<S> {
  state: S;
  /** Revision of the stream's last event; undefined when the stream does not exist. */
  revision: bigint | undefined;
}

/** The state a stream's events lead to from `initial`; each event is validated (and upcast) as it is read back. */
function foldStream<S, E extends DomainEvent>(recorded: RecordedEvent[], fold: Fold<S, E>, initial: S): S {
  let state = initial;
  for (const event of recorded)
    state = fold.evolve(state, parseEvent(event.type, event.data, Number(event.metadata.schemaVersion ?? 1)) as E);
  return state;
}

/**
 * A stream's current state: the cached fold (if any) plus whatever the store
 * holds after it. Always asks the store, so other writers are never missed.
 * Entries are kept per evolve function, so a decider and a reader that share
 * a fold (the customer decider and the API-key check) share one entry.
 */
export async function loadState<S, E extends DomainEvent>(
  eventStore: EventStore,
  states: StreamStateCache,
  streamName: string,
  fold: Fold<S, E>,
): Promise<LoadedState<S>> {
  const cached = states.get<S>(streamName, fold.evolve);
  const newer = await eventStore.readStream(streamName, cached ? { after: cached.revision } : {});
  const last = newer[newer.length - 1];
  if (!last) return cached ?? { state: fold.initialState(), revision: undefined };
  const state = foldStream(newer, fold, cached ? cached.state : fold.initialState());
  states.remember(streamName, fold.evolve, last.revision, state);
  return { state, revision: last.revision };
}

/** Records the state an append of ours led to, so the next load of the stream starts from it. */
export function rememberState<S, E extends DomainEvent>(
  states: StreamStateCache,
  streamName: string,
  fold: Fold<S, E>,
  revision: bigint,
  state: S,
): void {
  states.remember(streamName, fold.evolve, revision, state);
}
