import type { DocumentStore } from '@otp/platform/document-store';
import type { EventStore } from '@otp/platform/event-store';
import type { Logger } from '@otp/platform/logging';
import { checkCheckpoint } from './checkpoint-check';

export interface ResumePointOptions {
  /** The checkpoint's name, also the `projection` field of the log lines. */
  name: string;
  documents: Pick<DocumentStore, 'getCheckpoint'>;
  eventStore: Pick<EventStore, 'readAt'>;
  logger: Logger;
  /** What starting from the first event means for this follower, for the log line. */
  startingOver: string;
}

/**
 * Where a follower of the log (a projection, the relay) resumes: its checkpoint, if the event
 * store holds the event the checkpoint was taken at; otherwise undefined, from the first event,
 * said once at error level. Positions alone cannot tell a restored or replaced event store
 * from the one the checkpoint was taken on.
 */
export async function resumePoint(options: ResumePointOptions): Promise<bigint | undefined> {
  const { name, logger } = options;
  const stored = await options.documents.getCheckpoint(name);
  if (!stored) return undefined;
  const check = checkCheckpoint(stored, await options.eventStore.readAt(stored.position));
  const where = { projection: name, position: stored.position.toString() };
  if (check.action === 'resume') {
    if (!check.verified) logger.info(where, 'checkpoint has no event hash yet (written by an earlier version); resuming, the next commit records one');
    return stored.position;
  }
  const { reason, checkpointHash, foundHash } = check;
  logger.error(
    { ...where, reason, checkpointHash, foundHash },
    `checkpoint was taken on another event history (a restored or replaced event store); ${options.startingOver}`,
  );
  return undefined;
}
