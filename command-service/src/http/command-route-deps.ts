import type { ApiKeyAuthenticator, OperatorCheck } from '@otp/platform/auth';
import type { CommandDeps } from '../handling/command-deps';

/** What the write API's routes need beside the use cases' dependencies. */
export interface CommandRouteDeps extends CommandDeps {
  authenticate: ApiKeyAuthenticator;
  checkOperator: OperatorCheck;
}
