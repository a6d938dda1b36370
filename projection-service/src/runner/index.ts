export {
  createProjectionRunner,
  type ProjectionRunner,
  type ProjectionRunnerOptions,
  type ProjectionState,
  type ProjectionStatus,
} from './projection-runner';
export { inBatches, type Batch } from './in-batches';
export { registerProjectionMetrics } from './projection-metrics';
export { PositionWaiters } from './position-waiters';
