import type { StoredCheckpoint } from '@otp/platform/document-store';
import type { RecordedEvent } from '@otp/platform/event-store';
import { StoredEventMetadata } from '../projected-event';

export type CheckpointCheck =
  | {
      action: 'resume';
      /** False for a checkpoint written before hashes were: only its position could be checked. */
      verified: boolean;
    }
  | {
      action: 'rebuild';
      reason: 'no event at the checkpoint position' | 'another event at the checkpoint position';
      /** Short prefixes, enough to tell two hashes apart in a log line. */
      checkpointHash: string | undefined;
      foundHash: string | undefined;
    };

const SHOWN_HASH_CHARACTERS = 12;

/**
 * Whether a projection's checkpoint belongs to the log it is about to resume on, judged by the
 * event that log holds at the checkpoint's position (`atPosition`, undefined when none).
 *
 * Positions alone cannot tell: an `events.sqlite` restored from a backup, or another event store
 * behind the same read models, reuses positions the read models have already passed, and
 * resuming would skip its events or count them on top of another history's. The chain hash of
 * the event at the position commits to that event and to its stream's history before it, so the
 * same hash there means the same history. A checkpoint from before hashes were recorded can only
 * be checked for an event at its position at all.
 */
export function checkCheckpoint(checkpoint: StoredCheckpoint, atPosition: RecordedEvent | undefined): CheckpointCheck {
  const checkpointHash = shown(checkpoint.hash);
  if (atPosition?.position !== checkpoint.position) {
    return { action: 'rebuild', reason: 'no event at the checkpoint position', checkpointHash, foundHash: undefined };
  }
  if (checkpoint.hash === undefined) return { action: 'resume', verified: false };
  // Read back from the store: a hash that is not a string is no match, not a crash.
  const found = StoredEventMetadata.shape.hash.safeParse(atPosition.metadata.hash);
  if (found.success && found.data === checkpoint.hash) return { action: 'resume', verified: true };
  return {
    action: 'rebuild',
    reason: 'another event at the checkpoint position',
    checkpointHash,
    foundHash: found.success ? shown(found.data) : undefined,
  };
}

function shown(hash: string | undefined): string | undefined {
  return hash?.slice(0, SHOWN_HASH_CHARACTERS);
}
