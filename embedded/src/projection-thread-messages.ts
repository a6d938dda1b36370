import type { ProjectionStatus } from '@otp/projection-service';

/** What the main thread and the projection thread say to each other (structured clone keeps bigint and Error). */
export type ToProjectionThread = { type: 'stop' };
export type FromProjectionThread =
  | { type: 'started'; status: ProjectionStatus }
  | { type: 'status'; status: ProjectionStatus }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };
