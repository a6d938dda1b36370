import type { ProjectionStatus } from '@otp/projection-service';

/** What the main thread and the projection thread say to each other (structured clone keeps bigint and Error). */
export type ToProjectionThread = { type: 'stop' };
export type FromProjectionThread =
  /** Every projection follows the log or has failed (and is retried, or stopped at an event). */
  | { type: 'started'; statuses: ProjectionStatus[] }
  /** One projection's status, after each of its commits and state changes. */
  | { type: 'status'; status: ProjectionStatus }
  | { type: 'stopped' };
