import { z } from 'zod';
import type { HistoryEvent } from '../audit/history-verifier';
import { CustomerId } from '../ids';

/** A tenant's sequence number in a query string: 1-based, a safe integer. */
const Sequence = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * `after` and `until` are the tenant's own sequence numbers (exclusive and inclusive), never
 * global positions, which would show how much every other tenant wrote in between.
 */
export const AuditEventsQuery = z
  .object({
    after: Sequence.default(0),
    until: Sequence.optional(),
    stream: z.string().min(1).max(256).optional(),
  })
  .strict()
  .refine((q) => q.until === undefined || q.until >= q.after, { message: '`until` must not be before `after`', path: ['until'] });
export type AuditEventsQuery = z.infer<typeof AuditEventsQuery>;

/** One line of the NDJSON export: what the per-stream chain and the running hash are recomputed from. */
export const HistoryLine = z
  .object({
    sequence: z.number().int().min(1),
    stream: z.string(),
    revision: z.number().int().min(0),
    id: z.string(),
    type: z.string(),
    data: z.record(z.string(), z.unknown()),
    metadata: z.looseObject({ hash: z.string(), tenantId: z.string() }),
  })
  .strict();
export type HistoryLine = z.infer<typeof HistoryLine>;

/** The JOSE `typ` of a checkpoint: no verifier of access tokens (`at+jwt`) takes one, nor this verifier a token. */
export const CHECKPOINT_TYP = 'audit-checkpoint+jwt';

/** What a checkpoint signs: the tenant's running hash after its first `sequence` events. */
export const CheckpointClaims = z
  .object({
    iss: z.string(),
    iat: z.number().int(),
    tenantId: CustomerId,
    sequence: z.number().int().min(0),
    head: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type CheckpointClaims = z.infer<typeof CheckpointClaims>;

/** The answer of GET /v1/audit/checkpoint: the compact JWS, and its claims in clear for convenience. */
export const CheckpointResponse = CheckpointClaims.extend({ checkpoint: z.string() }).strict();
export type CheckpointResponse = z.infer<typeof CheckpointResponse>;

const CompactJws = z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be a checkpoint (a compact JWS)');

export const AuditVerifyQuery = z.object({ since: CompactJws.max(4096).optional() }).strict();
export type AuditVerifyQuery = z.infer<typeof AuditVerifyQuery>;

export const VerifyResponse = z
  .object({
    valid: z.boolean(),
    eventsChecked: z.number().int(),
    head: z.string(),
    firstBadSequence: z.number().int().optional(),
    extendsCheckpoint: z.boolean().optional(),
  })
  .strict();
export type VerifyResponse = z.infer<typeof VerifyResponse>;

/** The verifier's view of an exported line (revisions are bigint in the chain's canonical form). */
export function historyEventOfLine(line: HistoryLine): HistoryEvent {
  const { stream, revision, ...rest } = line;
  return { ...rest, streamName: stream, revision: BigInt(revision) };
}
