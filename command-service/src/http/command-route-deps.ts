import type { ApiKeyAuthenticator, OperatorCheck } from '@otp/platform/auth';
import type { EventStore } from '@otp/platform/event-store';
import type { CommandDeps } from '../handling/command-deps';
import type { SigningKeyring } from '../tokens/signing-keyring';

/** What the write API's routes need beside the use cases' dependencies. */
export interface CommandRouteDeps extends CommandDeps {
  authenticate: ApiKeyAuthenticator;
  checkOperator: OperatorCheck;
  /** The deployment's key stream, which the operator rotates; the token issuer signs from the same one. */
  signingKeys: SigningKeyring;
  /** What the auditor's raw-history routes read: the store itself, and a counter of the pages read. */
  auditHistory: { eventStore: EventStore; onPageRead?: () => void };
}
