export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Waiting<Req, Res> {
  request: Req;
  resolve: (value: Res) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects the requests made during one event-loop tick and hands them to `commit` together,
 * so one transaction (one fsync) serves them all. `commit` settles each request on its own;
 * if it throws, the transaction is gone and every request in the batch fails with that error.
 */
export class GroupCommitQueue<Req, Res> {
  private waiting: Waiting<Req, Res>[] = [];
  private scheduled = false;

  constructor(
    private readonly commit: (requests: Req[]) => Settled<Res>[],
    private readonly afterCommit: () => void,
  ) {}

  enqueue(request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.waiting.push({ request, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not queueMicrotask: callers awaiting other promises in the same
        // tick still get to enqueue before the batch is cut.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits whatever is queued now; used on close so no accepted append is dropped. */
  flush(): void {
    this.scheduled = false;
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    let results: Settled<Res>[];
    try {
      results = this.commit(batch.map((w) => w.request));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const result = results[i];
      if (result === undefined) w.reject(new Error('group commit: no result for a queued request'));
      else if (result.ok) w.resolve(result.value);
      else w.reject(result.error);
    });
    this.afterCommit();
  }
}
