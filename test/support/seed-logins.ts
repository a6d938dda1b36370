import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { customerRegistered, loggedIn, otpRequested, specChallenge, specTenant, specUserId, type GivenEvent } from './given-events';

const PARALLEL_APPENDS = 200;

/** Writes the given events straight into the store, one append per stream run, many at once so group commit batches them. */
export async function seedLogins(dataDir: string, logins: number): Promise<void> {
  const store = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
  try {
    const tenants = [specTenant('Alpha'), specTenant('Beta')];
    const base = Date.parse('2026-11-01T00:00:00.000Z');
    for (const tenant of tenants) await appendAll(store, customerRegistered(tenant, new Date(base)));
    let pending: Promise<void>[] = [];
    for (let i = 0; i < logins; i++) {
      const tenant = tenants[i % tenants.length]!;
      const challenge = specChallenge(tenant, `user${i % 5_000}@example.com`, { at: new Date(base + i * 60_000) });
      pending.push(appendAll(store, [otpRequested(challenge), ...loggedIn(challenge, specUserId())]));
      if (pending.length >= PARALLEL_APPENDS) {
        await Promise.all(pending);
        pending = [];
      }
    }
    await Promise.all(pending);
  } finally {
    await store.close();
  }
}

async function appendAll(store: ReturnType<typeof openSqliteEventStore>, events: GivenEvent[]): Promise<void> {
  for (let i = 0; i < events.length;) {
    const streamName = events[i]!.streamName;
    let end = i;
    while (end < events.length && events[end]!.streamName === streamName) end++;
    const batch = events.slice(i, end).map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata: e.metadata }));
    await store.append(streamName, batch, 'any');
    i = end;
  }
}
