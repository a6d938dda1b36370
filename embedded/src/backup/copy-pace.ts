/** About 100 MB of 4 KiB pages: a step long enough to be cheap, short enough to show progress. */
export const DEFAULT_STEP_PAGES = 25_600;
/** All that is left, in one step. */
const EVERYTHING = 0x7fffffff;

export type PaceEvent =
  | { kind: 'start'; totalPages: number }
  | { kind: 'progress'; copiedPages: number; totalPages: number }
  | { kind: 'restarted'; totalPages: number };

/**
 * How many pages SQLite's online backup copies in its next step. Stepping shows progress, but a
 * commit by another connection between two steps restarts the copy from its first page, so under
 * steady writes a stepped copy would never end. The pace steps until it sees a restart (the pages
 * left grow instead of shrinking), then finishes in one step, inside one read snapshot that the
 * writer goes on past.
 */
export class CopyPace {
  private remaining: number | undefined;
  private oneStep = false;

  constructor(private readonly stepPages: number = DEFAULT_STEP_PAGES) {}

  /** Called with SQLite's figures after each step; answers the next step's size and what to report. */
  next(totalPages: number, remainingPages: number): { pages: number; event: PaceEvent | undefined } {
    const before = this.remaining;
    this.remaining = remainingPages;
    if (before === undefined) return { pages: this.step(), event: { kind: 'start', totalPages } };
    if (!this.oneStep && remainingPages >= before) {
      this.oneStep = true;
      return { pages: EVERYTHING, event: { kind: 'restarted', totalPages } };
    }
    return { pages: this.step(), event: { kind: 'progress', copiedPages: totalPages - remainingPages, totalPages } };
  }

  private step(): number {
    return this.oneStep ? EVERYTHING : this.stepPages;
  }
}
