export * from './api-key-format';
export * from './api-key-authenticator';
export * from './operator-auth';
