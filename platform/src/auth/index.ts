export * from './api-key-authenticator';
export * from './operator-check';
export * from './end-user-address';
export * from './request-guard';
