export { openMongoDocumentStore, type MongoDocumentStoreOptions } from './mongo-document-store';
