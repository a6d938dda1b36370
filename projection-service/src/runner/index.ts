export {
  createProjectionRunner,
  type ProjectionRunner,
  type ProjectionRunnerOptions,
  type ProjectionState,
  type ProjectionStatus,
} from './projection-runner';
export { registerProjectionMetrics } from './projection-metrics';
