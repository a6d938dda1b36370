export * from './api-key-authenticator';
export * from './operator-check';
