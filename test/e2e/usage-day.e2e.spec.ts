import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import {
  customerRegistered,
  emailSent,
  loggedIn,
  otpRateLimited,
  otpRequested,
  specChallenge,
  specTenant,
  specUserId,
  wrongCodesTried,
  type GivenEvent,
} from '../support/given-events';
import { operatorConsistencyToken } from '../support/consistency-tokens';
import { useEmbeddedServer } from '../support/embedded-server';
import { SPEC_HASH_KEY } from '../support/spec-secrets';
import { ZERO_USAGE } from '../support/usage';

/** Issue 12's "done when": a scripted day of two tenants, read back per hour, day and month over HTTP. */
const acme = specTenant('Acme');
const globex = specTenant('Globex');
const at = (time: string) => new Date(`2026-06-15T${time}.000Z`);
const [ada, bob, zed] = [specUserId(), specUserId(), specUserId()];

/**
 * Acme: Ada logs in at 08:10 (her first login) and Bob at 08:41 after one wrong code; Ada again at
 * 09:05; Eve's code is locked at 09:30 and her next request refused by the per-email limit; Ada
 * once more at 23:15. Globex: Zed logs in at 12:00. Only Ada's first code has its send recorded.
 */
function day(): GivenEvent[] {
  const c = (tenant: typeof acme, email: string, time: string) => specChallenge(tenant, email, { at: at(time) });
  const ada1 = c(acme, 'ada@example.com', '08:10:00');
  const bob1 = c(acme, 'bob@example.com', '08:40:00');
  const ada2 = c(acme, 'ada@example.com', '09:05:00');
  const eve1 = c(acme, 'eve@example.com', '09:30:00');
  const ada3 = c(acme, 'ada@example.com', '23:15:00');
  const zed1 = c(globex, 'zed@example.com', '12:00:00');
  return [
    customerRegistered(acme, at('07:00:00')),
    customerRegistered(globex, at('07:00:00')),
    otpRequested(ada1),
    emailSent(ada1),
    loggedIn(ada1, ada, { at: at('08:10:30') }),
    otpRequested(bob1),
    wrongCodesTried(bob1, 1),
    loggedIn(bob1, bob, { at: at('08:41:00') }),
    otpRequested(ada2),
    loggedIn(ada2, ada, { newUser: false, at: at('09:05:20') }),
    otpRequested(eve1),
    wrongCodesTried(eve1, 5),
    otpRateLimited(eve1, at('09:50:00')),
    otpRequested(ada3),
    loggedIn(ada3, ada, { newUser: false, at: at('23:15:10') }),
    otpRequested(zed1),
    loggedIn(zed1, zed, { at: at('12:00:05') }),
  ].flat();
}

const zero = ZERO_USAGE;
const acmeDay = {
  ...zero,
  otpRequested: 5,
  otpVerified: 4,
  otpFailed: 6,
  otpLocked: 1,
  emailsSent: 1,
  usersCreated: 2,
  logins: 4,
  rateLimited: 1,
  uniqueUsers: 2,
};
const globexDay = { ...zero, otpRequested: 1, otpVerified: 1, usersCreated: 1, logins: 1, uniqueUsers: 1 };

describe('a scripted day of two tenants, over HTTP against the embedded server', () => {
  let head = 0n;
  // The server's hash key is the one the given events' key hashes were made with.
  const e2e = useEmbeddedServer('otp-usage-day-', async (dataDir) => {
    writeFileSync(join(dataDir, 'hash-key'), `${SPEC_HASH_KEY.toString('base64')}\n`, { mode: 0o600 });
    const eventStore = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
    try {
      for (const event of day()) {
        const { streamName, type, data, metadata } = event;
        head = (await eventStore.append(streamName, [{ id: randomUUID(), type, data, metadata }], 'any')).position;
      }
    } finally {
      await eventStore.close();
    }
  });
  const read = async (key: string, path: string) => {
    const res = await e2e.http('GET', path, {
      token: key,
      headers: { 'x-min-position': operatorConsistencyToken(SPEC_HASH_KEY.toString('base64'), head) },
    });
    expect(res.status, res.text).toBe(200);
    return res.body as { buckets: ({ start: string } & typeof zero)[] };
  };
  const nonZero = (buckets: ({ start: string } & typeof zero)[]) =>
    buckets.filter(({ start: _start, ...counters }) => Object.values(counters).some((n) => n > 0));

  it("counts each of Acme's hours exactly, unique users included, and every other hour as zero", async () => {
    const { buckets } = await read(acme.key.key, '/v1/usage?from=2026-06-15&to=2026-06-16&granularity=hour');
    expect(buckets).toHaveLength(24);
    expect(nonZero(buckets)).toEqual([
      {
        start: '2026-06-15T08:00:00.000Z',
        ...zero,
        otpRequested: 2,
        otpVerified: 2,
        otpFailed: 1,
        emailsSent: 1,
        usersCreated: 2,
        logins: 2,
        uniqueUsers: 2,
      },
      {
        start: '2026-06-15T09:00:00.000Z',
        ...zero,
        otpRequested: 2,
        otpVerified: 1,
        otpFailed: 5,
        otpLocked: 1,
        logins: 1,
        rateLimited: 1,
        uniqueUsers: 1,
      },
      { start: '2026-06-15T23:00:00.000Z', ...zero, otpRequested: 1, otpVerified: 1, logins: 1, uniqueUsers: 1 },
    ]);
  });

  it('counts the day and the month as the sum of the hours, but each user once', async () => {
    expect((await read(acme.key.key, '/v1/usage?from=2026-06-14&to=2026-06-17')).buckets).toEqual([
      { start: '2026-06-14T00:00:00.000Z', ...zero },
      { start: '2026-06-15T00:00:00.000Z', ...acmeDay },
      { start: '2026-06-16T00:00:00.000Z', ...zero },
    ]);
    expect((await read(acme.key.key, '/v1/usage?from=2026-05-01&to=2026-07-01&granularity=month')).buckets).toEqual([
      { start: '2026-05-01T00:00:00.000Z', ...zero },
      { start: '2026-06-01T00:00:00.000Z', ...acmeDay },
    ]);
  });

  it("gives each tenant's key its own usage only", async () => {
    const { buckets } = await read(globex.key.key, '/v1/usage?from=2026-06-15&to=2026-06-16&granularity=hour');
    expect(nonZero(buckets)).toEqual([{ start: '2026-06-15T12:00:00.000Z', ...globexDay }]);
    expect((await read(globex.key.key, '/v1/usage?from=2026-06-01&to=2026-07-01&granularity=month')).buckets).toEqual([
      { start: '2026-06-01T00:00:00.000Z', ...globexDay },
    ]);
    const summary = await e2e.http('GET', '/v1/analytics/summary?from=2026-06-15&to=2026-06-16', { token: globex.key.key });
    expect(summary.body).toMatchObject({ totals: { otpRequested: 1, logins: 1 }, timeToVerify: { count: 1 } });
  });

  it('takes no tenant from the request: naming another one is refused, not obeyed', async () => {
    const res = await e2e.http('GET', `/v1/usage?from=2026-06-15&to=2026-06-16&tenantId=${globex.id}`, { token: acme.key.key });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ errors: [expect.objectContaining({ path: 'tenantId' })] });
  });

  it("sums Acme's day in the summary: success rate, time to verify and failure reasons", async () => {
    const res = await e2e.http('GET', '/v1/analytics/summary?from=2026-06-15&to=2026-06-16', { token: acme.key.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      verifySuccessRate: 4 / 10,
      timeToVerify: { count: 4 },
      failureReasons: { wrong_code: 6, rate_limited: 1 },
    });
    // Ada 30 s, Bob 60 s, Ada 20 s, Ada 10 s: the nearest-rank median is 20 s, the p95 60 s, each at most 4.5% over.
    const { medianMs, p95Ms } = res.body.timeToVerify as { medianMs: number; p95Ms: number };
    expect(medianMs).toBeGreaterThanOrEqual(20_000);
    expect(medianMs).toBeLessThanOrEqual(20_900);
    expect(p95Ms).toBeGreaterThanOrEqual(60_000);
    expect(p95Ms).toBeLessThanOrEqual(62_700);
  });
});
