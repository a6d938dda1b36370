import { chainHash, GENESIS_HASH } from './hash-chain';
import { RUNNING_HASH_GENESIS, runningHash } from './running-hash';

/** One event of a tenant's history as the export writes it (and the service reads it). */
export interface HistoryEvent {
  sequence: number;
  streamName: string;
  revision: bigint;
  id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

/** What a checkpoint attests: the running hash after the tenant's first `sequence` events. */
export interface CheckpointMark {
  sequence: number;
  head: string;
}

export interface HistoryVerdict {
  valid: boolean;
  eventsChecked: number;
  head: string;
  /** The first event whose stored hash is not what its content and its stream's past give, or that is out of place. */
  firstBadSequence?: number;
  /** Given a checkpoint: whether this history is that one grown (true) or contradicts it (false). */
  extendsCheckpoint?: boolean;
}

/**
 * Verifies a tenant's history one event at a time, in constant memory per event (it keeps
 * each stream's last revision and hash, and the running head), so the service and the
 * auditor's CLI check a million events the same way, with the same functions the store seals
 * with. Each event's hash is recomputed from its stream's previous stored hash, so one
 * altered event is reported at its own sequence and the events after it are judged on theirs.
 * The running head folds the stored hashes, so a history rewritten and re-chained
 * consistently passes the chains but not a checkpoint taken before.
 */
export class HistoryVerifier {
  private readonly streams = new Map<string, { revision: bigint; hash: string }>();
  private head = RUNNING_HASH_GENESIS;
  private count = 0;
  private firstBad: number | undefined;
  private headAtMark: string | undefined;

  constructor(private readonly mark?: CheckpointMark) {
    if (mark?.sequence === 0) this.headAtMark = RUNNING_HASH_GENESIS;
  }

  add(event: HistoryEvent): void {
    const stored = typeof event.metadata['hash'] === 'string' ? event.metadata['hash'] : '';
    const last = this.streams.get(event.streamName);
    const inPlace = event.sequence === this.count + 1 && event.revision === (last ? last.revision + 1n : 0n);
    if (this.firstBad === undefined && (!inPlace || chainHash(last?.hash ?? GENESIS_HASH, event) !== stored)) {
      this.firstBad = event.sequence;
    }
    this.streams.set(event.streamName, { revision: event.revision, hash: stored });
    this.head = runningHash(this.head, stored);
    this.count += 1;
    if (this.count === this.mark?.sequence) this.headAtMark = this.head;
  }

  get eventsChecked(): number {
    return this.count;
  }

  verdict(): HistoryVerdict {
    const chained = this.firstBad === undefined;
    const extendsCheckpoint = this.mark ? this.headAtMark === this.mark.head : undefined;
    return {
      valid: chained && extendsCheckpoint !== false,
      eventsChecked: this.count,
      head: this.head,
      ...(chained ? {} : { firstBadSequence: this.firstBad }),
      ...(extendsCheckpoint === undefined ? {} : { extendsCheckpoint }),
    };
  }
}
