// One place for the OTP rules so the handler (which generates codes) and the
// decider (which enforces them) cannot drift apart.
export const OTP_MIN_CODE_LENGTH = 6;
export const OTP_MAX_CODE_LENGTH = 9;
// 9 digits: 10^9 codes, so 5 guesses per code give a 1 in 200 million chance.
export const OTP_DEFAULT_CODE_LENGTH = 9;
export const OTP_TTL_MS = 10 * 60 * 1000;
export const OTP_MAX_ATTEMPTS = 5;

export const isAllowedCodeLength = (length: number): boolean =>
  Number.isInteger(length) && length >= OTP_MIN_CODE_LENGTH && length <= OTP_MAX_CODE_LENGTH;

export const otpExpiresAt = (requestedAt: Date): Date => new Date(requestedAt.getTime() + OTP_TTL_MS);

// The challenge is usable on [requestedAt, expiresAt): at expiresAt it is
// already expired, so "10 minutes" never means 10 minutes and a tick.
export const isExpired = (expiresAt: string, now: Date): boolean => now.getTime() >= Date.parse(expiresAt);

/**
 * Whole seconds until a locked code would have expired, which is when its
 * email may have a new one (rounded up, so asking again then succeeds); 0 once
 * it has expired.
 */
export const secondsUntilNewCode = (expiresAt: string, now: Date): number =>
  Math.max(0, Math.ceil((Date.parse(expiresAt) - now.getTime()) / 1000));

/** What a caller is told about a locked code, whether it asked for a new one or guessed again: the truth, with the time. */
export const lockedDetail = (expiresAt: string): string => `too many wrong codes; this email can get a new code from ${expiresAt}`;
