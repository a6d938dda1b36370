export { openSqliteDocumentStore, type SqliteDocumentStoreOptions } from './sqlite-document-store';
