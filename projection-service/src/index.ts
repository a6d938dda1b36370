export * from './projectors/index';
export * from './runner/index';
export { createReadModelProjections, READ_MODELS_PROJECTION } from './read-model-projections';
export { StoredEventMetadata, toProjectedEvent, UnprojectableEventError, type ProjectedEvent } from './projected-event';
