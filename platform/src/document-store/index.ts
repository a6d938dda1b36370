export * from './port';
export * from './lease';
export { applyWriteOp, touchedKey, type TouchedDocument, type TouchedDocuments } from './apply-write-op';
export { assertValidWriteOp } from './update';
