import type { EventStoreChoice } from '../../config/distributed-env';
import { connectEsdbEventStore } from '../esdb/index';
import type { EventStore } from '../port';
import { openSqliteEventStore } from '../sqlite/index';

/**
 * The event store a distributed service's configuration names. `writer` matters for SQLite
 * only: the command service commits on a writer thread of its own, as the embedded server does,
 * while processes that only read (query) or only follow (projection) commit nothing.
 */
export function openSelectedEventStore(choice: EventStoreChoice, options: { writer: 'thread' | 'inline' }): EventStore {
  return choice.kind === 'esdb'
    ? connectEsdbEventStore({ connectionString: choice.connectionString })
    : openSqliteEventStore({ file: choice.file, writer: options.writer });
}
