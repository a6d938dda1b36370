import type { Router } from 'express';
import { createServiceKeyCheck, type RequestGuard } from '@otp/platform/auth';
import { createConsistencyTokens } from '@otp/platform/crypto';
import type { DocumentStore } from '@otp/platform/document-store';
import type { EventStore } from '@otp/platform/event-store';
import type { QueryDeps } from '../http/query-deps';
import { queryRoutes } from '../http/query-routes';

/**
 * What a composition root hands the query side; every field is required, so a dependency one form
 * would forget is a compile error in all three (the distributed service, the embedded server, the
 * route specs' app).
 */
export interface QuerySideInputs {
  documents: DocumentStore;
  eventStore: Pick<EventStore, 'readStream'>;
  /** The process's edge guard: the command side's where one process serves both (one set of limits), else the query service's own. */
  guard: RequestGuard;
  secrets: {
    /** The command side's hash key: its consistency tokens open here, and the service key is compared through it. */
    hashKey: Buffer;
    /** SERVICE_KEY; undefined refuses every service lookup. */
    serviceKey: string | undefined;
  };
  /** The read models' checkpoints as this form learns them: a poll of the store, the projection thread, in-process projections. */
  waitForPosition: QueryDeps['waitForPosition'];
}

/** The read side's routes, wired once for every form. */
export function composeQuerySide(inputs: QuerySideInputs): Router {
  const { hashKey, serviceKey } = inputs.secrets;
  return queryRoutes({
    documents: inputs.documents,
    eventStore: inputs.eventStore,
    consistency: createConsistencyTokens(hashKey),
    guard: inputs.guard,
    checkServiceKey: createServiceKeyCheck(serviceKey, hashKey),
    waitForPosition: inputs.waitForPosition,
  });
}
