export * from './documents';
export * from './projections';
