export * from './documents';
export * from './customer-writes';
export * from './projections';
export * from './time-buckets';
export * from './duration-bins';
