import type { ReadModelProjection } from '@otp/contracts';
import type { ApiKeyPrincipal } from '@otp/command-service/auth';
import type { DocumentStore } from '@otp/platform/document-store';

export interface QueryDeps {
  documents: DocumentStore;
  /** API key validity comes from the write model (see command-service/auth): a revoked key is refused at once. */
  authenticate: (key: string) => Promise<ApiKeyPrincipal>;
  checkOperator: (token: string) => void;
  /** Resolves once `projection` has applied `position`, or after `timeoutMs`; false on timeout. */
  waitForPosition: (projection: ReadModelProjection, position: bigint, timeoutMs: number) => Promise<boolean>;
}
