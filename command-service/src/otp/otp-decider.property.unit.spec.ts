import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT_CONFIG } from '@otp/contracts';
import { DomainError } from '../handling/decider';
import { otpDecider, type OtpEvent, type RequestOtp } from './otp-decider';
import { OTP_FAILURE_MEMORY_MS, OTP_MAX_FAILURES_IN_A_ROW } from './otp-policy';

const OTP_DEFAULT_CODE_LENGTH = DEFAULT_TENANT_CONFIG.otp.length;
const OTP_MAX_ATTEMPTS = DEFAULT_TENANT_CONFIG.otp.maxAttempts;

// Random sequences of requests, verifications, resends and clock moves
// against the pure decider, checking what must hold whatever the order.
type Step =
  | { kind: 'request' }
  | { kind: 'resend' }
  | { kind: 'verify'; codeOf: number; name: 'none' | 'own' | 'other' | 'unknown'; right: boolean }
  | { kind: 'wait'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Step>({ kind: 'request' }) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'resend' }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('verify' as const),
      codeOf: fc.nat(),
      name: fc.constantFrom('none' as const, 'own' as const, 'other' as const, 'unknown' as const),
      // Mostly wrong: the runs of wrong codes must get long enough to meet the limits.
      right: fc.integer({ min: 0, max: 24 }).map((n) => n === 0),
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 0, max: 3 * 60 * 60_000 }))
      .map((ms): Step => ({ kind: 'wait', ms })),
  },
);

const WRONG = '000000000';
const hashOf = (challengeId: string, code: string) => `h(${challengeId}:${code})`;
const codeFor = (index: number) => String(100_000_000 + index);
const idFor = (index: number) => `chl_${index.toString(16).padStart(16, '0')}`;

interface Run {
  events: OtpEvent[];
  /** For each OtpVerified: the challenge whose code was presented, and the one named, if any. */
  verifications: { verified: string; codeOwner: string; named: string | undefined }[];
}

function run(steps: readonly Step[]): Run {
  let now = Date.parse('2025-03-01T12:00:00.000Z');
  let state = otpDecider.initialState();
  const events: OtpEvent[] = [];
  const verifications: Run['verifications'] = [];
  const issued: string[] = [];
  let lastRequest: RequestOtp | undefined;
  const record = (decided: OtpEvent[]) => {
    events.push(...decided);
    state = decided.reduce(otpDecider.evolve, state);
  };
  const decide = (command: Parameters<typeof otpDecider.decide>[0]): OtpEvent[] => {
    try {
      return otpDecider.decide(command, state);
    } catch (error) {
      if (error instanceof DomainError) return [];
      throw error;
    }
  };
  for (const s of steps) {
    if (s.kind === 'wait') {
      now += s.ms;
      continue;
    }
    if (s.kind === 'request' || (s.kind === 'resend' && lastRequest)) {
      const command: RequestOtp =
        s.kind === 'resend' && lastRequest
          ? { ...lastRequest, now: new Date(now) }
          : {
              type: 'RequestOtp',
              challengeId: idFor(issued.length),
              customerId: 'cus_00000000000000a1',
              emailKey: 'ek-ada',
              email: 'ada@example.test',
              codeHash: hashOf(idFor(issued.length), codeFor(issued.length)),
              codeLength: OTP_DEFAULT_CODE_LENGTH,
              ttlSeconds: DEFAULT_TENANT_CONFIG.otp.ttlSeconds,
              maxAttempts: OTP_MAX_ATTEMPTS,
              perEmailPerHour: 3,
              now: new Date(now),
            };
      const decided = decide(command);
      if (decided.some((e) => e.type === 'OtpRequested')) issued.push(command.challengeId);
      lastRequest = command;
      record(decided);
      continue;
    }
    if (s.kind !== 'verify' || issued.length === 0) continue;
    // One of the three newest codes: older ones have mostly expired, and expired ones are never compared.
    const owner = issued.length - 1 - (s.codeOf % Math.min(3, issued.length));
    const codeOwner = idFor(owner);
    const named = { none: undefined, own: codeOwner, other: idFor((owner + 1) % issued.length), unknown: idFor(10_000) }[s.name];
    const code = s.right ? codeFor(owner) : WRONG;
    const decided = decide({
      type: 'VerifyOtp',
      challengeId: named,
      codeMatches: ({ challengeId, codeHash }) => hashOf(challengeId, code) === codeHash,
      newUserId: 'usr_00000000000000f1',
      now: new Date(now),
    });
    for (const e of decided) if (e.type === 'OtpVerified') verifications.push({ verified: e.data.challengeId, codeOwner, named });
    record(decided);
  }
  return { events, verifications };
}

/** What the sequences reached: the invariants are only worth something if the limits they bound are met. */
interface Reach {
  deepest: number;
  verified: number;
}

function checkInvariants(steps: readonly Step[], reach: Reach): void {
  const { events, verifications } = run(steps);
  const requested = new Map(events.flatMap((e) => (e.type === 'OtpRequested' ? [[e.data.challengeId, e.data] as const] : [])));

  // Never more than 5 wrong attempts counted per challenge.
  const wrongPer = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'OtpVerificationFailed' && e.data.reason === 'wrong_code') {
      wrongPer.set(e.data.challengeId, (wrongPer.get(e.data.challengeId) ?? 0) + 1);
    }
  }
  for (const count of wrongPer.values()) expect(count).toBeLessThanOrEqual(OTP_MAX_ATTEMPTS);

  // Never more than 100 wrong codes per email in a row (a verification or a day's quiet ends a run).
  let inARow = 0;
  let last = 0;
  for (const e of events) {
    if (e.type === 'OtpVerified') inARow = 0;
    if (e.type === 'OtpVerificationFailed' && e.data.reason === 'wrong_code') {
      const at = Date.parse(e.data.failedAt ?? '');
      inARow = at - last >= OTP_FAILURE_MEMORY_MS ? 1 : inARow + 1;
      last = at;
      expect(inARow).toBeLessThanOrEqual(OTP_MAX_FAILURES_IN_A_ROW);
      reach.deepest = Math.max(reach.deepest, inARow);
    }
  }

  // A code never verifies twice, never after its expiry, never for another challenge.
  const verified = events.flatMap((e) => (e.type === 'OtpVerified' ? [e.data] : []));
  reach.verified += verified.length;
  expect(new Set(verified.map((v) => v.challengeId)).size).toBe(verified.length);
  for (const v of verified) expect(Date.parse(v.verifiedAt)).toBeLessThan(Date.parse(requested.get(v.challengeId)!.expiresAt));
  for (const v of verifications) {
    expect(v.verified).toBe(v.codeOwner);
    if (v.named !== undefined) expect(v.verified).toBe(v.named);
  }

  // At most 3 codes requested in any hour.
  const times = [...requested.values()].map((r) => Date.parse(r.requestedAt));
  times.forEach((t, i) => expect(times.slice(i, i + 4).filter((u) => u - t < 60 * 60_000).length).toBeLessThanOrEqual(3));
}

const sequence = (of: fc.Arbitrary<Step>) => fc.array(of, { minLength: 50, maxLength: 1000, size: 'max' });

describe('the OTP decider over random sequences', () => {
  it('keeps every invariant of challenges, codes and the per-email budget', () => {
    const reach: Reach = { deepest: 0, verified: 0 };
    fc.assert(
      fc.property(sequence(step), (steps) => checkInvariants(steps, reach)),
      { numRuns: 300, endOnFailure: true },
    );
    console.log(`property runs: longest run of wrong codes ${reach.deepest}, codes verified ${reach.verified}`);
    expect(reach.deepest).toBeGreaterThanOrEqual(20);
    expect(reach.verified).toBeGreaterThan(0);
  });

  // Only wrong codes and waits: the sequences an attacker sends, long enough to meet the hard stop.
  it('keeps them for an attacker who never has the code, up to the hard stop at 100', () => {
    const reach: Reach = { deepest: 0, verified: 0 };
    const attack = step.map((s): Step => (s.kind === 'verify' ? { ...s, right: false } : s));
    fc.assert(
      fc.property(fc.array(attack, { minLength: 1000, maxLength: 3000, size: 'max' }), (steps) => checkInvariants(steps, reach)),
      { numRuns: 100, endOnFailure: true },
    );
    console.log(`attacker runs: longest run of wrong codes ${reach.deepest}`);
    expect(reach.deepest).toBe(OTP_MAX_FAILURES_IN_A_ROW);
    expect(reach.verified).toBe(0);
  });
});
