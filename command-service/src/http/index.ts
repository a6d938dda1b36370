export * from './command-routes';
export * from './command-context-from-request';
