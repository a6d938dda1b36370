import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { findDistributedServers } from '../support/distributed-servers';
import { useDistributedServices } from '../support/use-distributed-services';
import { readWholeTopic, topicSize } from '../support/kafka-topic';
import { logIn, registerCustomer } from '../support/logins';
import { storedPositions } from '../support/stored-events';

/**
 * The distributed form as processes: command, query and projection services from their bundles,
 * over the local Kafka and FerretDB (scripts/test-servers.sh) and one SQLite event store file
 * they share, as EventStoreDB cannot run here. The walk-through of the README, routed as the
 * gateway routes, then the topic read back against the log.
 */
const servers = findDistributedServers();
if (!servers.available) process.stdout.write(`skipped: distributed services e2e: ${servers.reason}\n`);

const EMAIL = 'ada@example.com';
const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe.skipIf(!servers.available)('distributed services end to end', () => {
  const d = useDistributedServices(servers, 'e2e');

  it('registers, mails a code over SMTP, verifies it, and reads usage and audit written by another process', async () => {
    const { http } = d.services;
    const { customerId, apiKey } = await registerCustomer(http, 'Acme');
    const verified = await logIn(http, d.smtp, apiKey, EMAIL);
    expect(verified.body).toMatchObject({ tokenType: 'Bearer', user: { email: EMAIL } });
    const jwks = createRemoteJWKSet(new URL(`${d.services.command.baseUrl}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(verified.body.accessToken, jwks, { audience: customerId });
    expect(payload.email).toBe(EMAIL);

    // Read-your-writes across processes: the query service waits for the projection service's checkpoint.
    const atLeast = { 'x-min-position': verified.headers.get('x-event-position')! };
    const usage = await http('GET', `/v1/usage?from=${dayOffset(-1)}&to=${dayOffset(1)}&granularity=day`, {
      token: apiKey,
      headers: atLeast,
    });
    expect(usage.status).toBe(200);
    const total = (field: string) => usage.body.buckets.reduce((n: number, b: Record<string, number>) => n + b[field]!, 0);
    expect({ requested: total('otpRequested'), logins: total('logins') }).toEqual({ requested: 1, logins: 1 });
    const audit = await http('GET', '/v1/audit?limit=1000', { token: apiKey, headers: atLeast });
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((item: { type: string }) => item.type)).toEqual(
      expect.arrayContaining(['CustomerRegistered', 'OtpRequested', 'OtpVerified', 'UserCreated', 'UserLoggedIn', 'SessionStarted']),
    );
    const customer = await http('GET', '/v1/customer', { token: apiKey, headers: atLeast });
    expect(customer.body).toMatchObject({ id: customerId, name: 'Acme', status: 'active' });
  });

  it('relays every event of the log to the Kafka topic, once per position, keyed by tenant', async () => {
    const brokers = servers.available ? servers.kafkaBrokers : '';
    const stored = storedPositions(join(d.root, 'events.sqlite'));
    await waitFor(async () => (await topicSize(brokers, d.topic)) >= stored.length);
    const messages = await readWholeTopic(brokers, d.topic);
    const published = messages.map((m) => ({ position: m.position, key: m.key })).sort((a, b) => byNumber(a.position, b.position));
    expect(published).toEqual(stored);
    expect(new Set(messages.map((m) => m.eventId)).size).toBe(stored.length);
  });
});

const byNumber = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/** Polls a condition the test cannot be told about (the relay publishes on its own schedule). */
async function waitFor(condition: () => Promise<boolean>, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('condition not met after waiting');
}
