/** Stream names: `<category>-<id>`. Email never appears here, only its keyed hash. */
export const streams = {
  customer: (customerId: string) => `customer-${customerId}`,
  otp: (customerId: string, emailKey: string) => `otp-${customerId}.${emailKey}`,
  user: (customerId: string, userId: string) => `user-${customerId}.${userId}`,
  session: (sessionId: string) => `session-${sessionId}`,
  keyUse: (customerId: string) => `keyuse-${customerId}`,
  /** A tenant's versioned config: revision N-1 holds version N. */
  config: (customerId: string) => `config-${customerId}`,
  /** A self-service signup's codes, per email (its keyed hash): no tenant exists yet to name it by. */
  signup: (signupEmailKey: string) => `signup-${signupEmailKey}`,
  /** A tenant's limit refusals (RateLimitExceeded, QuotaExceeded), once per window: off the customer stream every key check folds. */
  limits: (customerId: string) => `limits-${customerId}`,
  /** One per deployment: every instance signs with the key this stream calls current. */
  signingKeys: (deployment: string) => `signingkeys-${deployment}`,
} as const;

export const categoryOf = (streamName: string): string => streamName.slice(0, streamName.indexOf('-'));
