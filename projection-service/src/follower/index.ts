export { LogFollower, type FollowerOptions, type FollowerState, type FollowerStatus, type FollowerUser, type Handled } from './follower';
export { inBatches, type Batch } from './in-batches';
export { PositionWaiters } from './position-waiters';
export { FIRST_VERSION, resumePoint, type ResumePoint } from './resume-point';
export { fencedDocuments } from './fenced-documents';
export { LeaseHolder, type LeaseHolderOptions, type LeaseState, type LeasedWork } from './lease-holder';
