import type { DocumentStore } from '@otp/platform/document-store';
import type { EventStore } from '@otp/platform/event-store';
import type { Logger } from '@otp/platform/logging';
import { AuditRetentionEnv, createAuditRetention } from './audit-retention';
import { ChallengeRetentionEnv, createChallengeRetention } from './challenge-retention';
import { allOf, type Retention } from './retention-schedule';

/** The knobs of every read model's retention, for each composition root's env schema. */
export const ReadModelRetentionEnv = { ...AuditRetentionEnv, ...ChallengeRetentionEnv };

export interface ReadModelRetentionOptions {
  documents: Pick<DocumentStore, 'find' | 'deleteMany' | 'getCheckpoint'>;
  eventStore: Pick<EventStore, 'readAt'>;
  logger: Logger;
  /** AUDIT_RETENTION_DAYS. */
  auditRetentionDays: number;
  /** CHALLENGE_RETENTION_MARGIN_MINUTES. */
  challengeMarginMinutes: number;
}

/**
 * What the process that projects prunes beside its projections, on one schedule each: audit
 * entries past their retention, and open challenges past any possible verification.
 */
export function createReadModelRetention(options: ReadModelRetentionOptions): Retention {
  const { documents, eventStore, logger } = options;
  return allOf(
    createAuditRetention({ documents, logger, retentionDays: options.auditRetentionDays }),
    createChallengeRetention({ documents, eventStore, logger, marginMinutes: options.challengeMarginMinutes }),
  );
}
