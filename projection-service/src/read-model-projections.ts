import type { DocumentStore } from '@otp/platform/document-store';
import type { EventStore } from '@otp/platform/event-store';
import type { Logger } from '@otp/platform/logging';
import { readModelProjectors } from './projectors/index';
import { createProjectionRunner, type ProjectionRunner } from './runner/index';

/** Checkpoint name of the query side's read models. */
export const READ_MODELS_PROJECTION = 'read-models';

/**
 * The read models the query service serves, as one checkpointed group: one
 * subscription and one transaction per batch for all of them.
 */
export function createReadModelProjections(deps: {
  eventStore: Pick<EventStore, 'subscribeToAll' | 'readAt'>;
  documents: DocumentStore;
  logger: Logger;
  maxBatchEvents?: number;
  onChange?: () => void;
}): ProjectionRunner {
  return createProjectionRunner({
    name: READ_MODELS_PROJECTION,
    projectors: readModelProjectors,
    eventStore: deps.eventStore,
    documents: deps.documents,
    logger: deps.logger.child({ component: 'projections' }),
    ...(deps.maxBatchEvents !== undefined ? { maxBatchEvents: deps.maxBatchEvents } : {}),
    ...(deps.onChange ? { onChange: deps.onChange } : {}),
  });
}
