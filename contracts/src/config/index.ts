export * from './tenant-config';
export * from './config-events';
export * from './config-state';
