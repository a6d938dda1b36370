export * from './secrets';
export * from './secret-file';
