import { Router, type Request, type Response } from 'express';
import { TenantConfigBody, TenantConfigPatchBody, TenantConfigQuery, type TenantConfigState } from '@otp/contracts';
import { requireScope } from '@otp/platform/auth';
import { parseOr400, problems } from '@otp/platform/http';
import { Refusal } from '../handling/refusal';
import { commandContext } from '../http/command-context-from-request';
import type { CommandRouteDeps } from '../http/command-route-deps';
import { withPosition } from '../http/with-position';
import { changeTenantConfig, type ConfigChange } from './change-tenant-config';
import { readTenantConfig } from './read-tenant-config';
import { tenantConfigView } from './tenant-config-view';

const STRONG_ETAG = /^"(0|[1-9][0-9]{0,14})"$/;

/** `If-Match: "<version>"` as the version the writer read; `*` or no header: whatever is current. */
function expectedVersion(req: Request): number | undefined {
  const header = req.get('if-match')?.trim();
  if (header === undefined || header === '*') return undefined;
  const match = STRONG_ETAG.exec(header);
  if (!match) {
    throw problems.validation(
      [{ path: 'If-Match', message: 'must be one ETag this API gave, e.g. "3"' }],
      'the If-Match header is malformed',
    );
  }
  return Number(match[1]);
}

function answer(res: Response, state: TenantConfigState): void {
  res.setHeader('ETag', `"${state.version}"`);
  res.json(tenantConfigView(state));
}

/** A tenant reads and writes its own config, versioned; the ETag is the version a following If-Match is compared with. */
export function tenantConfigRoutes(deps: CommandRouteDeps): Router {
  const router = Router();

  const admin = async (req: Request, res: Response) => {
    const principal = await deps.guard.apiKey(req, res);
    requireScope(principal, 'customer:admin');
    return { principal, ctx: commandContext(req, `apiKey:${principal.keyId}`, principal.customerId) };
  };

  router.get('/v1/customer/config', async (req, res) => {
    const { principal } = await admin(req, res);
    const query = parseOr400(TenantConfigQuery, req.query, 'query');
    const asOf = query.asOf !== undefined ? new Date(query.asOf) : undefined;
    const state = await readTenantConfig(deps, principal.customerId, { version: query.version, asOf });
    if (!state) throw problems.notFound(`the config has no version ${query.version}`);
    answer(res, state);
  });

  const write = (change: (req: Request) => ConfigChange) => async (req: Request, res: Response) => {
    const { principal, ctx } = await admin(req, res);
    const version = expectedVersion(req);
    const { state, position } = await changeTenantConfig(
      deps,
      { customerId: principal.customerId, expectedVersion: version, change: change(req) },
      ctx,
    ).catch((error: unknown) => {
      // The 412 names the version that holds (as GET would), so the client knows what to read again.
      if (error instanceof Refusal && error.code === 'config_version_conflict')
        res.setHeader('ETag', `"${String(error.details['currentVersion'])}"`);
      throw error;
    });
    answer(withPosition(res, deps.consistency, ctx, position), state);
  };
  router.put(
    '/v1/customer/config',
    write((req) => ({ kind: 'replace', config: parseOr400(TenantConfigBody, req.body ?? {}) })),
  );
  router.patch(
    '/v1/customer/config',
    write((req) => ({ kind: 'patch', patch: parseOr400(TenantConfigPatchBody, req.body ?? {}) })),
  );

  return router;
}
