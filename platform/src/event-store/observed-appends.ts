import type { EventStore, EventToAppend } from './port';

/**
 * The same store, telling `appended` about each append the store confirmed (an idempotent
 * repeat included), e.g. for an events-appended counter. A decorator at the composition root,
 * so neither the handlers nor the adapters know about metrics.
 */
export function observeAppends(store: EventStore, appended: (events: readonly EventToAppend[]) => void): EventStore {
  return {
    async append(streamName, events, expectedRevision) {
      const result = await store.append(streamName, events, expectedRevision);
      try {
        appended(events);
      } catch {
        // An observer's failure must not turn a stored append into a reported failure.
      }
      return result;
    },
    readStream: (streamName, options) => store.readStream(streamName, options),
    readAll: (options) => store.readAll(options),
    readTenant: (tenantId, options) => store.readTenant(tenantId, options),
    readAt: (position) => store.readAt(position),
    subscribeToAll: (options) => store.subscribeToAll(options),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
