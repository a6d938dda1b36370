import type { DocumentStore } from '@otp/platform/document-store';
import type { EventStore } from '@otp/platform/event-store';
import type { Logger } from '@otp/platform/logging';
import { checkCheckpoint } from './checkpoint-check';

/** The version a checkpoint written before versions were recorded stands for: every follower's first. */
export const FIRST_VERSION = 1;

export interface ResumePointOptions {
  /** The checkpoint's name, also the `projection` field of the log lines. */
  name: string;
  /** The follower's version: a checkpoint of another one is not resumed. */
  version: number;
  documents: Pick<DocumentStore, 'getCheckpoint'>;
  eventStore: Pick<EventStore, 'readAt'>;
  logger: Logger;
  /** What starting from the first event means for this follower, for the log line. */
  startingOver: string;
}

/** Where to resume; `position` undefined means from the first event, for the reason given. */
export type ResumePoint =
  | { position: bigint; startingOver?: undefined }
  | { position: undefined; startingOver: 'no checkpoint' | 'another event history' | 'another version' };

/**
 * Where a follower of the log (a projection, the relay) resumes: its checkpoint, if it was
 * written by this version of the follower and the event store holds the event it was taken at;
 * otherwise from the first event, said once.
 *
 * Positions alone cannot tell a restored or replaced event store from the one the checkpoint was
 * taken on (an error: someone should know), and a checkpoint of another version covers writes
 * made by other code (info: a deploy asked for it). A checkpoint from before versions were
 * recorded counts as the first version, so upgrading changes nothing for a follower whose code
 * did not change.
 */
export async function resumePoint(options: ResumePointOptions): Promise<ResumePoint> {
  const { name, logger } = options;
  const stored = await options.documents.getCheckpoint(name);
  if (!stored) return { position: undefined, startingOver: 'no checkpoint' };
  const where = { projection: name, position: stored.position.toString() };
  const storedVersion = stored.version ?? FIRST_VERSION;
  if (storedVersion !== options.version) {
    logger.info(
      { ...where, storedVersion, version: options.version },
      `checkpoint was written by another version; ${options.startingOver}`,
    );
    return { position: undefined, startingOver: 'another version' };
  }
  const check = checkCheckpoint(stored, await options.eventStore.readAt(stored.position));
  if (check.action === 'resume') {
    if (!check.verified)
      logger.info(where, 'checkpoint has no event hash yet (written by an earlier version); resuming, the next commit records one');
    return { position: stored.position };
  }
  const { reason, checkpointHash, foundHash } = check;
  logger.error(
    { ...where, reason, checkpointHash, foundHash },
    `checkpoint was taken on another event history (a restored or replaced event store); ${options.startingOver}`,
  );
  return { position: undefined, startingOver: 'another event history' };
}
