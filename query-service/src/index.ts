export * from './http/query-routes';
export * from './http/query-deps';
export * from './composition/compose-query-side';
