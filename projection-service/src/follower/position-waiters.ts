interface Waiter {
  position: bigint;
  settle: (reached: boolean) => void;
  fail: (error: Error) => void;
}

/** Callers parked until a position is committed; the HTTP layer uses this for read-your-writes. */
export class PositionWaiters {
  private readonly waiters = new Set<Waiter>();

  /** True once `reached` reports `position` or beyond; false after `timeoutMs`. */
  wait(position: bigint, timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        position,
        settle: (reached) => {
          done();
          resolve(reached);
        },
        fail: (error) => {
          done();
          reject(error);
        },
      };
      const timer = setTimeout(() => waiter.settle(false), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  reached(position: bigint): void {
    for (const waiter of this.waiters) if (waiter.position <= position) waiter.settle(true);
  }

  failAll(error: Error): void {
    for (const waiter of this.waiters) waiter.fail(error);
  }
}
