import { Router } from 'express';
import { auditHistoryRoutes } from '../audit-history/audit-history-routes';
import { customerRoutes } from '../customers/customer-routes';
import { domainRoutes } from '../domains/domain-routes';
import { otpRoutes } from '../otp/otp-routes';
import { signingKeyRoutes } from '../signing-keys/signing-key-routes';
import { signupRoutes } from '../signup/signup-routes';
import { tenantConfigRoutes } from '../tenant-config/tenant-config-routes';
import { jwksRoutes } from '../tokens/jwks-routes';
import { createAccessTokenVerifier } from '../tokens/access-token-verifier';
import { tokenRoutes } from '../tokens/token-routes';
import { userRoutes } from '../users/user-routes';
import type { CommandRouteDeps } from './command-route-deps';
import { domainErrorProblems } from './domain-error-problems';

export type { CommandRouteDeps } from './command-route-deps';

/**
 * The write API: each feature's routes (authenticate, validate, run one use case, answer), then the
 * one place that turns a decider's refusal into a problem.
 */
export function commandRoutes(deps: CommandRouteDeps): Router {
  const router = Router();
  router.use(
    customerRoutes(deps),
    tenantConfigRoutes(deps),
    domainRoutes(deps),
    otpRoutes(deps),
    signupRoutes(deps),
    jwksRoutes(deps),
    signingKeyRoutes(deps),
    auditHistoryRoutes(deps),
  );
  // One verifier for both; it reads the published keys per token, so a rotation needs no new verifier.
  const verify = createAccessTokenVerifier(deps.tokens);
  router.use(tokenRoutes(deps, verify), userRoutes(deps, verify));
  router.use(domainErrorProblems());
  return router;
}
