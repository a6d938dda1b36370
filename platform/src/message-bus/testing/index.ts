export { InMemoryMessageBus, type PublishedBatch } from './in-memory-message-bus';
