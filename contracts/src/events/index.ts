export * from './metadata';
export * from './customer-events';
export * from './otp-events';
export * from './user-events';
export * from './session-events';
export * from './signing-key-events';
export * from './registry';
export * from './stream-names';
