// One place for the OTP rules so the handler (which generates codes) and the
// decider (which enforces them) cannot drift apart.
export const OTP_MIN_CODE_LENGTH = 6;
export const OTP_MAX_CODE_LENGTH = 9;
// The length, lifetime, guesses per code and requests per hour are each tenant's (its config's
// `otp` section; by default 9 digits, 10 minutes, 5 guesses: a 1 in 200 million chance per code).

export const isAllowedCodeLength = (length: number): boolean =>
  Number.isInteger(length) && length >= OTP_MIN_CODE_LENGTH && length <= OTP_MAX_CODE_LENGTH;

export const otpExpiresAt = (requestedAt: Date, ttlSeconds: number): Date => new Date(requestedAt.getTime() + ttlSeconds * 1000);

// The challenge is usable on [requestedAt, expiresAt): at expiresAt it is
// already expired, so "10 minutes" never means 10 minutes and a tick.
export const isExpired = (expiresAt: string, now: Date): boolean => now.getTime() >= Date.parse(expiresAt);

// The per-email budget across all of an email's challenges (NIST SP 800-63B
// 5.2.2: at most 100 consecutive failures, delays of 30 s up to 1 h before
// that). The first 20 wrong codes in a row cost nothing: an owner who mistypes,
// or an attacker's ten guesses at their own challenge, never delay the owner.
export const OTP_MAX_FAILURES_IN_A_ROW = 100;
export const OTP_FREE_FAILURES_IN_A_ROW = 20;
// A run of failures is forgotten a day after its last one, so the hard stop at
// 100 is a day's pause rather than a permanent lock anyone could impose.
export const OTP_FAILURE_MEMORY_MS = 24 * 60 * 60 * 1000;
export const OTP_REQUEST_WINDOW_MS = 60 * 60 * 1000;

/**
 * Seconds a further verification waits after the last of `failures` wrong
 * codes in a row: none for the first 20, then 30 s doubling every 10 failures
 * (20: 30 s, 30: 60 s, ... 80: 1920 s), capped at an hour from 90 on.
 */
export const failureDelaySeconds = (failures: number): number =>
  failures < OTP_FREE_FAILURES_IN_A_ROW ? 0 : Math.min(3600, 30 * 2 ** Math.floor((failures - OTP_FREE_FAILURES_IN_A_ROW) / 10));

/** Whole seconds from now until `at` (rounded up, so trying again then succeeds); 0 once it has passed. */
export const secondsUntil = (at: number, now: Date): number => Math.max(0, Math.ceil((at - now.getTime()) / 1000));
