import { z } from 'zod';
import { collections, type AuditSequenceDocument } from '@otp/contracts';
import type { DocumentStore } from '@otp/platform/document-store';
import type { Logger } from '@otp/platform/logging';
import { AUDIT_INDEX } from '../projectors/audit';
import { deleteInBatches, scheduleRetention, type Retention, type Stopping } from './retention-schedule';

/** How long the audit read model keeps an entry; the event store keeps every event regardless. */
export const AuditRetentionEnv = {
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
};

export interface AuditRetentionOptions {
  documents: Pick<DocumentStore, 'find' | 'deleteMany'>;
  logger: Logger;
  retentionDays: number;
  now?: () => Date;
  /** Entries deleted per call to the store. Default 500. */
  batchSize?: number;
  /** Time between passes. Default one hour. */
  intervalMs?: number;
}

export type AuditRetention = Retention;

const COMPONENT = 'audit-retention';
const DAY_MS = 86_400_000;
const TENANT_PAGE = 500;
const OLDEST_FIRST = AUDIT_INDEX.slice(1).map((field): [string, 'asc'] => [field, 'asc']);

/**
 * Keeps the audit read model to its retention (AUDIT_RETENTION_DAYS): tenant by tenant (the
 * sequence documents list them), the oldest entries first, in bounded deletes over the audit
 * index. The sequence documents stay: numbering goes on where it was, with the old entries gone.
 * Entries that a rebuild projects again from old events are pruned on the next pass.
 */
export function createAuditRetention(options: AuditRetentionOptions): AuditRetention {
  const { documents, logger, retentionDays } = options;
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 500;

  const pruneTenant = (tenantId: string, before: string, stopping: Stopping) =>
    deleteInBatches({
      documents,
      collection: collections.audit,
      query: { where: { tenantId, occurredAt: { $lt: before } }, orderBy: OLDEST_FIRST },
      batchSize,
      stopping,
      onBatch: (deleted) => logger.debug({ component: COMPONENT, tenantId, deleted }, 'audit entries pruned so far'),
    });

  const prune = async (stopping: Stopping): Promise<number> => {
    const before = new Date(now().getTime() - retentionDays * DAY_MS).toISOString();
    const started = Date.now();
    let deleted = 0;
    let tenants = 0;
    for (let after: string | undefined; ;) {
      const page = await documents.find<AuditSequenceDocument>(collections.auditSequences, {
        ...(after !== undefined ? { where: { _id: { $gt: after } } } : {}),
        orderBy: [['_id', 'asc']],
        limit: TENANT_PAGE,
      });
      for (const { _id: tenantId } of page) {
        const pruned = await pruneTenant(tenantId, before, stopping);
        if (pruned > 0) logger.info({ component: COMPONENT, tenantId, deleted: pruned, before }, 'audit entries past retention pruned');
        deleted += pruned;
        tenants += 1;
        if (stopping()) break;
      }
      if (page.length < TENANT_PAGE || stopping()) break;
      after = page[page.length - 1]!._id;
    }
    logger.info({ component: COMPONENT, tenants, deleted, before, ms: Date.now() - started }, 'audit retention pass done');
    return deleted;
  };

  return scheduleRetention({ component: COMPONENT, label: 'audit retention', logger, prune, intervalMs: options.intervalMs });
}
