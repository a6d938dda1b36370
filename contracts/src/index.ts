export * from './ids';
export * from './events/index';
export * from './audit/index';
export * from './http/index';
export * from './read-models/index';
export * from './api-keys/index';
export * from './config/index';
export * from './limits/index';
