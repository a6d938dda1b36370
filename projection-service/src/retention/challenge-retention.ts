import { z } from 'zod';
import { collections } from '@otp/contracts';
import type { DocumentStore } from '@otp/platform/document-store';
import type { EventStore } from '@otp/platform/event-store';
import type { Logger } from '@otp/platform/logging';
import { checkCheckpoint } from '../follower/checkpoint-check';
import { StoredEventMetadata } from '../projected-event';
import { CHALLENGE_EXPIRY_INDEX, usageProjector } from '../projectors/usage';
import { deleteInBatches, scheduleRetention, type Retention, type Stopping } from './retention-schedule';

/**
 * How long past its expiry a challenge's request time is kept for a verification still on its
 * way: the clocks of two instances may disagree, and a verify decided in time may be appended a
 * little later. Past that, no event the log can still hold verifies it.
 */
export const ChallengeRetentionEnv = {
  CHALLENGE_RETENTION_MARGIN_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
};

export interface ChallengeRetentionOptions {
  documents: Pick<DocumentStore, 'find' | 'deleteMany' | 'getCheckpoint'>;
  /** Where the usage projection's checkpoint is: the time of its last event bounds what is dead. */
  eventStore: Pick<EventStore, 'readAt'>;
  logger: Logger;
  marginMinutes: number;
  now?: () => Date;
  /** Challenges deleted per call to the store. Default 500. */
  batchSize?: number;
  /** Time between passes. Default one hour. */
  intervalMs?: number;
}

const COMPONENT = 'challenge-retention';
const SOONEST_EXPIRY_FIRST = CHALLENGE_EXPIRY_INDEX.map((field): [string, 'asc'] => [field, 'asc']);

/**
 * Deletes the usage projection's open challenges (kept so a verification can be timed) whose code
 * expired more than the margin before the last event the projection applied: a verify is decided
 * before the expiry, so it sits in the log before any event stamped later than the expiry plus
 * the margin, and a projection past that event has timed it already. The projection's own clock,
 * not the wall clock, is what makes it safe: a projection that lags or rebuilds from the first
 * event has verifications still to apply for challenges long expired by the wall clock. The wall
 * clock still caps it, against an instance whose clock ran ahead stamping the log.
 */
export function createChallengeRetention(options: ChallengeRetentionOptions): Retention {
  const { documents, eventStore, logger, marginMinutes } = options;
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 500;

  /** When the usage projection's last event happened, or why there is nothing to go by yet. */
  const projectedTo = async (): Promise<{ at: string } | { skipped: string }> => {
    const checkpoint = await documents.getCheckpoint(usageProjector.name);
    if (checkpoint === undefined) return { skipped: 'the usage projection has projected nothing yet' };
    if (checkpoint.version !== usageProjector.version) return { skipped: 'the usage projection is rebuilding from the first event' };
    const event = await eventStore.readAt(checkpoint.position);
    // A log restored or replaced under the read models: the projection starts over on it, the next pass prunes.
    if (checkCheckpoint(checkpoint, event).action !== 'resume') return { skipped: 'the usage checkpoint is not on this log' };
    const occurredAt = StoredEventMetadata.shape.occurredAt.safeParse(event?.metadata.occurredAt);
    return occurredAt.success ? { at: occurredAt.data } : { skipped: 'the event at the usage checkpoint has no time' };
  };

  const prune = async (stopping: Stopping): Promise<number> => {
    const started = Date.now();
    const projected = await projectedTo();
    if ('skipped' in projected) {
      logger.info({ component: COMPONENT, deleted: 0, reason: projected.skipped }, 'expired challenges pass done');
      return 0;
    }
    const clock = Math.min(now().getTime(), Date.parse(projected.at));
    const before = new Date(clock - marginMinutes * 60_000).toISOString();
    const deleted = await deleteInBatches({
      documents,
      collection: collections.usageChallenges,
      query: { where: { expiresAt: { $lt: before } }, orderBy: SOONEST_EXPIRY_FIRST },
      batchSize,
      stopping,
      onBatch: (soFar) => logger.debug({ component: COMPONENT, deleted: soFar }, 'expired challenges pruned so far'),
    });
    logger.info(
      { component: COMPONENT, deleted, before, projectedTo: projected.at, ms: Date.now() - started },
      'expired challenges pass done',
    );
    return deleted;
  };

  return scheduleRetention({ component: COMPONENT, label: 'expired challenges', logger, prune, intervalMs: options.intervalMs });
}
