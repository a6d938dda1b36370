import { Router } from 'express';
import { customerRoutes } from '../customers/customer-routes';
import { otpRoutes } from '../otp/otp-routes';
import { jwksRoutes } from '../tokens/jwks-routes';
import type { CommandRouteDeps } from './command-route-deps';
import { domainErrorProblems } from './domain-error-problems';

export type { CommandRouteDeps } from './command-route-deps';

/**
 * The write API: each feature's routes (authenticate, validate, run one use case, answer), then the
 * one place that turns a decider's refusal into a problem.
 */
export function commandRoutes(deps: CommandRouteDeps): Router {
  const router = Router();
  router.use(customerRoutes(deps), otpRoutes(deps), jwksRoutes(deps));
  router.use(domainErrorProblems());
  return router;
}
