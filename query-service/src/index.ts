export * from './http/query-routes';
export * from './http/query-deps';
