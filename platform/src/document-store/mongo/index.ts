export { InterruptedBatchFinishedError, openMongoDocumentStore, type MongoDocumentStoreOptions } from './mongo-document-store';
