import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { z } from 'zod';
import { collections, type AuditEntryDocument, type AuditSequenceDocument } from '@otp/contracts';
import type { DocumentStore } from '@otp/platform/document-store';
import type { Logger } from '@otp/platform/logging';
import { AUDIT_INDEX } from '../projectors/audit';

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

export interface AuditRetention {
  /** One pass over every tenant: deletes the entries older than the retention; answers how many. */
  pruneOnce(): Promise<number>;
  /** A pass now, then one every interval; a failed pass is logged and the next one tries again. */
  start(): void;
  /** Ends the schedule once the pass in hand, if any, is done. */
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;
const TENANT_PAGE = 500;
const OLDEST_FIRST = AUDIT_INDEX.slice(1).map((field): [string, 'asc'] => [field, 'asc']);

/**
 * Keeps the audit read model to its retention (AUDIT_RETENTION_DAYS): tenant by tenant (the
 * sequence documents list them), the oldest entries first, in bounded deletes over the audit
 * index, so a pass never holds the store for long and the projection's batches go on between
 * them. The sequence documents stay: numbering goes on where it was, with the old entries gone.
 * Entries that a rebuild projects again from old events are pruned on the next pass.
 */
export function createAuditRetention(options: AuditRetentionOptions): AuditRetention {
  const { documents, logger, retentionDays } = options;
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 500;
  const intervalMs = options.intervalMs ?? 3_600_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  let stopping = false;

  const pruneTenant = async (tenantId: string, before: string): Promise<number> => {
    let deleted = 0;
    for (;;) {
      const old = await documents.find<AuditEntryDocument>(collections.audit, {
        where: { tenantId, occurredAt: { $lt: before } },
        orderBy: OLDEST_FIRST,
        limit: batchSize,
      });
      if (old.length === 0) return deleted;
      deleted += await documents.deleteMany(
        collections.audit,
        old.map((entry) => entry._id),
      );
      logger.debug({ component: 'audit-retention', tenantId, deleted }, 'audit entries pruned so far');
      await yieldToLoop();
      // A stop waits for the pass, so it ends the pass at the next batch instead of at the last tenant.
      if (stopping) return deleted;
    }
  };

  const pruneOnce = async (): Promise<number> => {
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
        const pruned = await pruneTenant(tenantId, before);
        if (pruned > 0)
          logger.info({ component: 'audit-retention', tenantId, deleted: pruned, before }, 'audit entries past retention pruned');
        deleted += pruned;
        tenants += 1;
      }
      if (page.length < TENANT_PAGE || stopping) break;
      after = page[page.length - 1]!._id;
    }
    logger.info({ component: 'audit-retention', tenants, deleted, before, ms: Date.now() - started }, 'audit retention pass done');
    return deleted;
  };

  const pass = () => {
    running = pruneOnce()
      .catch((error: unknown) =>
        logger.warn({ component: 'audit-retention', err: (error as Error).message, retryInMs: intervalMs }, 'audit retention pass failed'),
      )
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(pass, intervalMs).unref();
      });
  };

  return {
    pruneOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      stopping = false;
      pass();
    },
    async stop() {
      stopped = true;
      stopping = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
