export * from './api-key-format';
export * from './customer-state';
export * from './authorize-api-key';
