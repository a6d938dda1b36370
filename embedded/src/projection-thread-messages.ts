import type { ProjectionStatus, RebuildProgress } from '@otp/projection-service';

/** What the main thread and the projection thread say to each other (structured clone keeps bigint and Error). */
export type ToProjectionThread =
  | { type: 'stop' }
  /** Rebuild one projection beside its live collections and swap it in (`rebuildBeside`); `id` pairs the answers. */
  | { type: 'rebuild'; id: number; projection: string };
export type FromProjectionThread =
  /** Every projection follows the log or has failed (and is retried, or stopped at an event). */
  | { type: 'started'; statuses: ProjectionStatus[] }
  /** One projection's status, after each of its commits and state changes. */
  | { type: 'status'; status: ProjectionStatus }
  | { type: 'rebuild-progress'; id: number; progress: RebuildProgress }
  | { type: 'rebuild-done'; id: number; result: RebuildProgress }
  | { type: 'rebuild-failed'; id: number; error: string }
  | { type: 'stopped' };
