export * from './documents';
export * from './projections';
export * from './time-buckets';
export * from './duration-bins';
