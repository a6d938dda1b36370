export * from './projectors/index';
export * from './runner/index';
export * from './follower/index';
export { createReadModelProjections, type ReadModelProjections } from './read-model-projections';
export { StoredEventMetadata, toProjectedEvent, UnprojectableEventError, type ProjectedEvent } from './projected-event';
export { AuditRetentionEnv, createAuditRetention, type AuditRetention } from './retention/audit-retention';
export { rebuildBeside, besideDocuments, RebuildInProgressError, type RebuildProgress } from './rebuild/index';
