import type { ReadModelProjection } from '@otp/contracts';
import type { ApiKeyAuthenticator, OperatorCheck, ServiceKeyCheck } from '@otp/platform/auth';
import type { DocumentStore } from '@otp/platform/document-store';

export interface QueryDeps {
  documents: DocumentStore;
  /** API key validity comes from the write model (see platform/src/auth): a revoked key is refused at once. */
  authenticate: ApiKeyAuthenticator;
  checkOperator: OperatorCheck;
  /** Other services of the deployment, by `X-Service-Key`; refuses everyone when no key is configured. */
  checkServiceKey: ServiceKeyCheck;
  /** Resolves once `projection` has applied `position`, or after `timeoutMs`; false on timeout. */
  waitForPosition: (projection: ReadModelProjection, position: bigint, timeoutMs: number) => Promise<boolean>;
}
