export * from './port';
export * from './observed-appends';
export * from './stream-state-cache';
export * from './load-state';
