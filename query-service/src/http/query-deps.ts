import type { ReadModelProjection } from '@otp/contracts';
import type { RequestGuard } from '@otp/platform/auth';
import type { DocumentStore } from '@otp/platform/document-store';

export interface QueryDeps {
  documents: DocumentStore;
  /** API key validity comes from the write model (see platform/src/auth): a revoked key is refused at once; the limits are the same as the write side's. */
  guard: RequestGuard;
  /** Resolves once `projection` has applied `position`, or after `timeoutMs`; false on timeout. */
  waitForPosition: (projection: ReadModelProjection, position: bigint, timeoutMs: number) => Promise<boolean>;
}
