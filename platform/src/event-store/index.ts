export * from './port';
export * from './observed-appends';
