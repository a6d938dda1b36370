import { Router, type Request, type Response } from 'express';
import {
  AuditEventsQuery,
  AuditVerifyQuery,
  HistoryVerifier,
  signCheckpoint,
  verifyCheckpoint,
  type CheckpointClaims,
  type CheckpointResponse,
  type VerifyResponse,
} from '@otp/contracts';
import { requireScope } from '@otp/platform/auth';
import { parseOr400, problems, sendNdjson } from '@otp/platform/http';
import type { CommandRouteDeps } from '../http/command-route-deps';
import { servedJwk } from '../tokens/signing-keys';
import { historyLine } from './history-lines';
import { tenantHistory } from './tenant-history';

/**
 * The auditor's raw history: the tenant's events as stored (NDJSON), a checkpoint of its
 * running hash signed with the service's signing key, and a verification of the chains and of
 * a saved checkpoint. On the write side, beside the signing keys: the private keys never leave
 * it, and these read the event store, not a read model. Every read is of the key's own tenant,
 * so another tenant's events and checkpoints are never within reach.
 */
export function auditHistoryRoutes(deps: CommandRouteDeps): Router {
  const router = Router();
  const { eventStore, onPageRead: onPage, heads, verifications } = deps.auditHistory;

  const auditor = async (req: Request, res: Response) => {
    const principal = await deps.guard.apiKey(req, res);
    requireScope(principal, 'audit:read');
    return principal.customerId;
  };

  router.get('/v1/audit/events', async (req, res) => {
    const tenantId = await auditor(req, res);
    const query = parseOr400(AuditEventsQuery, req.query, 'query');
    await sendNdjson(res, linesOf(tenantHistory(eventStore, tenantId, { after: query.after, until: query.until, onPage }), query.stream));
  });

  router.get('/v1/audit/checkpoint', async (req, res) => {
    const tenantId = await auditor(req, res);
    const now = new Date();
    const { sequence, head } = await heads.head(tenantId);
    const claims: CheckpointClaims = { iss: deps.tokens.settings.issuer, iat: Math.floor(now.getTime() / 1000), tenantId, sequence, head };
    const checkpoint = await signCheckpoint(claims, await deps.signingKeys.current(now));
    res.json({ ...claims, checkpoint } satisfies CheckpointResponse);
  });

  router.get('/v1/audit/verify', async (req, res) => {
    const tenantId = await auditor(req, res);
    const query = parseOr400(AuditVerifyQuery, req.query, 'query');
    const mark = query.since === undefined ? undefined : await checkpointOf(query.since, tenantId);
    const verdict = await verifications.run(tenantId, async () => {
      const verifier = new HistoryVerifier(mark);
      for await (const event of tenantHistory(eventStore, tenantId, { onPage })) verifier.add(event);
      return verifier.verdict();
    });
    res.json(verdict satisfies VerifyResponse);
  });

  /**
   * Verified against every key the deployment ever had (their public halves stay in the key
   * stream), not only the JWKS of the day: a checkpoint outlives the key that signed it.
   */
  async function checkpointOf(jws: string, tenantId: string): Promise<CheckpointClaims> {
    const { keys } = await deps.signingKeys.state(new Date());
    const claims = await verifyCheckpoint(jws, { keys: keys.map((key) => servedJwk(key.kid, key.publicJwk)) });
    const refuse = (message: string) => problems.validation([{ path: 'since', message }], 'the query is not valid');
    if (!claims || claims.iss !== deps.tokens.settings.issuer) throw refuse('not a checkpoint signed by this service');
    if (claims.tenantId !== tenantId) throw refuse("another tenant's checkpoint");
    return claims;
  }

  return router;
}

async function* linesOf(events: ReturnType<typeof tenantHistory>, stream: string | undefined) {
  for await (const event of events) if (stream === undefined || event.streamName === stream) yield historyLine(event);
}
