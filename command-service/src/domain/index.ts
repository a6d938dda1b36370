export * from './decider';
export * from './customer/customer-decider';
export * from './customer/authorize-api-key';
export * from './otp/otp-policy';
export * from './otp/otp-decider';
export * from './otp/verify-outcome';
export * from './user/user-decider';
export * from './session/session-decider';
