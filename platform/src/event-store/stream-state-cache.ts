interface Entry {
  /** The fold (its evolve function) the state was made with: one stream folded another way is another entry. */
  folder: object;
  revision: bigint;
  state: unknown;
}

/** Enough for every stream that is busy at once, small enough to forget: an OTP state is a few hundred bytes. */
export const STREAM_STATE_CACHE_SIZE = 20_000;

/**
 * Folded states of streams this process has read or written, oldest first
 * out (FIFO: a read moves nothing, so a hit is one Map lookup; a busy stream
 * that falls out is simply read once more). A cache of the write model, never a source of truth: every
 * load still asks the store for the events after the cached revision, so a
 * write made by another process (or instance) is folded in before any
 * decision. What it saves is re-reading, re-validating and re-folding a
 * stream's whole history on every command.
 *
 * One per process, made in the composition root and handed to everything that
 * loads folded streams (the command handler, the API-key authenticator), so
 * one stream's state is kept once however many store objects wrap the store.
 */
export class StreamStateCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = STREAM_STATE_CACHE_SIZE) {}

  get size(): number {
    return this.entries.size;
  }

  get<S>(streamName: string, folder: object): { revision: bigint; state: S } | undefined {
    const entry = this.entries.get(streamName);
    if (!entry || entry.folder !== folder) return undefined;
    return { revision: entry.revision, state: entry.state as S };
  }

  /** Keeps `state` as of `revision`, unless a newer one is kept already (loads may finish out of order). */
  remember(streamName: string, folder: object, revision: bigint, state: unknown): void {
    const entry = this.entries.get(streamName);
    if (entry && entry.folder === folder && entry.revision > revision) return;
    // Deleting first makes a re-remembered stream the youngest.
    this.entries.delete(streamName);
    this.entries.set(streamName, { folder, revision, state });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
