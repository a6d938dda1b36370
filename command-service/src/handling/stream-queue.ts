/**
 * Runs each piece of work after every earlier one for the same stream has
 * finished. Within one process, commands on one stream then never race:
 * twelve simultaneous guesses at one code are decided one after another, each
 * seeing the attempts before it, instead of most of them losing a conflict
 * and giving up. Optimistic concurrency still guards against other processes.
 * One per command handler, which the composition root makes once per process.
 */
export class StreamQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(streamName: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(streamName) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.tails.set(streamName, tail);
    // Forget the stream once nothing is queued behind this call, so the map stays small.
    void tail.then(() => {
      if (this.tails.get(streamName) === tail) this.tails.delete(streamName);
    });
    return run;
  }
}
