import type { ReadModelProjection } from '@otp/contracts';
import type { RequestGuard, ServiceKeyCheck } from '@otp/platform/auth';
import type { ConsistencyTokens } from '@otp/platform/crypto';
import type { DocumentStore } from '@otp/platform/document-store';
import type { EventStore } from '@otp/platform/event-store';

export interface QueryDeps {
  documents: DocumentStore;
  /** Point-in-time reads fold a customer's stream up to the time asked (`views/customer-as-of.ts`). */
  eventStore: Pick<EventStore, 'readStream'>;
  /** API key validity comes from the write model (see platform/src/auth): a revoked key is refused at once; the limits are the same as the write side's. */
  guard: RequestGuard;
  /** Other services of the deployment, by `X-Service-Key`; refuses everyone when no key is configured. */
  checkServiceKey: ServiceKeyCheck;
  /** Opens the tokens writes answer with (`X-Min-Position`): the command side's, from the same hash key. */
  consistency: ConsistencyTokens;
  /** Resolves once `projection` has applied `position`, or after `timeoutMs`; false on timeout. */
  waitForPosition: (projection: ReadModelProjection, position: bigint, timeoutMs: number) => Promise<boolean>;
}
