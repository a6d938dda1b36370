export { connectEsdbEventStore, EsdbEventStore, type EsdbEventStoreOptions } from './esdb-event-store';
