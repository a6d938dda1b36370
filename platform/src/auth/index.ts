export * from './api-key-authenticator';
export * from './operator-check';
export * from './service-key-check';
export * from './browser-origins';
export * from './browser-cors';
export * from './end-user-address';
export * from './request-guard';
export * from './request-edge';
