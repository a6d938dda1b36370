import { Router, type Response } from 'express';
import { IssueApiKeyBody, RegisterCustomerBody, RequestOtpBody, VerifyOtpBody } from '@otp/contracts';
import { bearerToken, parseOr400 } from '@otp/platform/http';
import type { CommandDeps } from '../application/command-deps';
import { issueApiKey } from '../application/issue-api-key';
import { registerCustomer } from '../application/register-customer';
import { requestOtp } from '../application/request-otp';
import { verifyOtp } from '../application/verify-otp';
import { requireScope, type ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { commandContext, POSITION_HEADER } from './command-context-from-request';
import { domainErrorProblems } from './domain-error-problems';

export interface CommandRouteDeps extends CommandDeps {
  authenticate: ApiKeyAuthenticator;
  checkOperator: (token: string) => void;
}

function withPosition(res: Response, position: bigint | undefined): Response {
  if (position !== undefined) res.setHeader(POSITION_HEADER, position.toString());
  return res;
}

/** The write API. Each route: authenticate, validate, run one use case, answer. */
export function commandRoutes(deps: CommandRouteDeps): Router {
  const router = Router();

  router.post('/v1/admin/customers', async (req, res) => {
    deps.checkOperator(bearerToken(req));
    const body = parseOr400(RegisterCustomerBody, req.body ?? {});
    const ctx = commandContext(req, 'operator', 'operator');
    const { position, ...result } = await registerCustomer(deps, body, ctx);
    withPosition(res, position).status(201).location(`/v1/admin/customers/${result.customer.id}`).json(result);
  });

  router.post('/v1/api-keys', async (req, res) => {
    const principal = await deps.authenticate(bearerToken(req));
    requireScope(principal, 'customer:admin');
    const body = parseOr400(IssueApiKeyBody, req.body ?? {});
    const ctx = commandContext(req, `apiKey:${principal.keyId}`, principal.customerId);
    const { position, ...issued } = await issueApiKey(deps, { customerId: principal.customerId, scopes: body.scopes }, ctx);
    withPosition(res, position).status(201).json(issued);
  });

  router.post('/v1/otp/request', async (req, res) => {
    const principal = await deps.authenticate(bearerToken(req));
    requireScope(principal, 'otp:write');
    const body = parseOr400(RequestOtpBody, req.body ?? {});
    const ctx = commandContext(req, `apiKey:${principal.keyId}`, principal.customerId);
    const { position, ...accepted } = await requestOtp(deps, { customerId: principal.customerId, email: body.email }, ctx);
    withPosition(res, position).status(202).json(accepted);
  });

  router.post('/v1/otp/verify', async (req, res) => {
    const principal = await deps.authenticate(bearerToken(req));
    requireScope(principal, 'otp:write');
    const body = parseOr400(VerifyOtpBody, req.body ?? {});
    const ctx = commandContext(req, `apiKey:${principal.keyId}`, principal.customerId);
    const { position, ...tokens } = await verifyOtp(deps, { customerId: principal.customerId, ...body }, ctx);
    withPosition(res, position).status(200).json(tokens);
  });

  router.get('/.well-known/jwks.json', (_req, res) => {
    // Public keys change rarely and verifiers cache them; a short max-age keeps rotation quick.
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(deps.tokens.jwks());
  });

  router.use(domainErrorProblems());
  return router;
}
