export * from './http/query-routes';
export * from './http/query-deps';
export { customerAsOf } from './views/customer-as-of';
export * from './composition/compose-query-side';
