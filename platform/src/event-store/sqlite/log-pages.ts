import type { RecordedEvent } from '../port';

export interface LogPage {
  /** The page's events after the position asked for, in order. */
  events: RecordedEvent[];
  /**
   * Where the reader stands after these events. At a complete page's end (later events exist, so
   * every position up to it is committed and nothing can appear in a gap), else the last event's.
   */
  through: bigint;
  /** False for the page at the head of the log: the reader waits for the next commit. */
  complete: boolean;
}

/**
 * The log cut into pages of fixed position ranges, page k holding positions (k*size, (k+1)*size],
 * so that subscriptions of one store reading the same stretch (the projections of a rebuild, or
 * of a first start) read and parse each page once between them, instead of once each at page
 * boundaries of their own. Only complete pages are kept, and only the last `capacity` of them:
 * a page no event can join is the same for every reader, while the head's page is read anew
 * from each reader's own position, as before.
 */
export class LogPages {
  private readonly pages = new Map<bigint, RecordedEvent[]>();
  private readonly pageSize: bigint;

  constructor(
    /** Up to `limit` events after `after`, in position order. */
    private readonly read: (after: bigint, limit: number) => RecordedEvent[],
    private readonly size: number,
    private readonly capacity: number,
  ) {
    this.pageSize = BigInt(size);
  }

  after(position: bigint): LogPage {
    const page = position / this.pageSize;
    const start = page * this.pageSize;
    const end = start + this.pageSize;
    const kept = this.pages.get(page);
    if (kept) {
      return { events: position === start ? kept : kept.filter((event) => event.position > position), through: end, complete: true };
    }
    // One more than the page can hold says whether the page is complete.
    const rows = this.read(position, Number(end - position) + 1);
    const complete = rows.length > 0 && rows[rows.length - 1]!.position > end;
    const events = complete ? rows.filter((event) => event.position <= end) : rows;
    if (complete && position === start) this.keep(page, events);
    const through = complete ? end : (events.at(-1)?.position ?? position);
    return { events, through, complete };
  }

  private keep(page: bigint, events: RecordedEvent[]): void {
    this.pages.set(page, events);
    if (this.pages.size > this.capacity) this.pages.delete(this.pages.keys().next().value!);
  }
}
