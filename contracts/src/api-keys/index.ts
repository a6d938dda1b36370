export * from './api-key-format';
export * from './checksum';
export * from './customer-state';
export * from './authorize-api-key';
export * from './browser-origin';
