export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Waiting<Req, Res> {
  request: Req;
  resolve: (value: Res) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects the requests made during one event-loop tick and hands them to `commit` together,
 * so one transaction (one fsync) serves them all. `commit` settles each request on its own;
 * if it fails, the transaction is gone and every request in the batch fails with that error.
 *
 * At most one commit is under way: requests that arrive meanwhile wait and form the next
 * batch, so an asynchronous commit (on the writer thread) batches more the busier it gets.
 */
export class GroupCommitQueue<Req, Res> {
  private waiting: Waiting<Req, Res>[] = [];
  private scheduled = false;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly commit: (requests: Req[]) => Settled<Res>[] | Promise<Settled<Res>[]>,
    private readonly afterCommit: () => void,
  ) {}

  enqueue(request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.waiting.push({ request, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything queued so far is committed; used on close so no accepted append is dropped. */
  async drain(): Promise<void> {
    while (this.inFlight || this.waiting.length > 0) {
      if (this.inFlight) await this.inFlight;
      else this.flush();
    }
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    // setImmediate, not queueMicrotask: callers awaiting other promises in the same
    // tick still get to enqueue before the batch is cut.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.inFlight) return;
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    let outcome: Settled<Res>[] | Promise<Settled<Res>[]>;
    try {
      outcome = this.commit(batch.map((w) => w.request));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    if (!(outcome instanceof Promise)) return this.settle(batch, outcome);
    this.inFlight = outcome.then(
      (results) => {
        // The next batch goes out before this one's callers run: the committer works on it
        // while they do, instead of waiting for them to finish.
        this.inFlight = undefined;
        this.flush();
        this.settle(batch, results);
      },
      (error: unknown) => {
        this.inFlight = undefined;
        this.flush();
        for (const w of batch) w.reject(error);
      },
    );
  }

  private settle(batch: Waiting<Req, Res>[], results: Settled<Res>[]): void {
    batch.forEach((w, i) => {
      const result = results[i];
      if (result === undefined) w.reject(new Error('group commit: no result for a queued request'));
      else if (result.ok) w.resolve(result.value);
      else w.reject(result.error);
    });
    this.afterCommit();
  }
}
