import { join } from 'node:path';
import { READ_MODEL_PROJECTIONS } from '@otp/contracts';
import { describe, expect, it } from 'vitest';
import { operatorConsistencyToken } from '../support/consistency-tokens';
import { findDistributedServers } from '../support/distributed-servers';
import { useDistributedServices } from '../support/use-distributed-services';
import { readWholeTopic, topicSize } from '../support/kafka-topic';
import { logIn, registerCustomer } from '../support/logins';
import { readModelDocuments, waitForCheckpoints } from '../support/mongo-read-models';
import type { ServerProcess } from '../support/server-process';
import { storedPositions } from '../support/stored-events';

/**
 * Two projection-service processes over one read-model database: the active one is killed with
 * SIGKILL while logins go on, the standby takes the lease over, and the read models it leaves
 * are those a third instance builds from the first event into a database of its own. The topic
 * holds every event of the log (at least once: the relay's last batch may be sent again).
 */
const servers = findDistributedServers();
if (!servers.available) process.stdout.write(`skipped: projection-service failover e2e: ${servers.reason}\n`);

const CUSTOMERS = 8;
const LOGINS_PER_CUSTOMER = 2;
/** The active instance dies once this many customers have done their logins. */
const KILL_AFTER = 3;

describe.skipIf(!servers.available)('two projection-services, the active one killed during a load', () => {
  const d = useDistributedServices(servers, 'failover', { alsoDrop: (run) => [`otp_rebuild_${run}`] });
  const rebuilt = `otp_rebuild_${d.run}`;

  it('ends with the read models of a clean rebuild, and every event on the topic', async () => {
    if (!servers.available) return;
    const [active] = d.services.projections as [ServerProcess];
    await lineIn(active, 'lease taken');
    const standby = await d.services.addProjectionService();

    let killedAt = 0;
    const customer = async (i: number) => {
      const { apiKey } = await registerCustomer(d.services.http, `Tenant${i}`);
      for (let n = 0; n < LOGINS_PER_CUSTOMER; n++) await logIn(d.services.http, d.smtp, apiKey, `user${i}@example.com`);
      if (i === KILL_AFTER) {
        await active.kill();
        killedAt = Date.now();
      }
      return apiKey;
    };
    const apiKeys: string[] = [];
    // Two tenants at a time, so commits keep coming while the lease changes hands.
    for (let i = 1; i <= CUSTOMERS; i += 2) apiKeys.push(...(await Promise.all([customer(i), customer(i + 1)])));
    expect(killedAt).toBeGreaterThan(0);

    await lineIn(standby, 'lease taken');
    const taken = JSON.parse(standby.output.find((line) => line.includes('lease taken'))!) as { time: string };
    process.stdout.write(`failover: the standby took the lease ${Date.parse(taken.time) - killedAt} ms after the active one was killed\n`);
    const positions = storedPositions(join(d.root, 'events.sqlite')).map((event) => event.position);
    const end = BigInt(positions.at(-1)!);
    await waitForCheckpoints(servers.mongoUrl, d.database, [...READ_MODEL_PROJECTIONS, 'kafka-relay'], end);
    // The query service reads what the new holder wrote.
    const audit = await d.services.http('GET', '/v1/audit?limit=1000', {
      token: apiKeys.at(-1)!,
      headers: { 'x-min-position': operatorConsistencyToken(d.services.hashKey, end) },
    });
    expect(audit.status).toBe(200);
    expect(audit.body.items.filter((item: { type: string }) => item.type === 'UserLoggedIn')).toHaveLength(LOGINS_PER_CUSTOMER);

    // A third instance, alone on a database of its own (its own lease), builds the read models from the first event.
    await d.services.addProjectionService(rebuilt, `${d.topic}.rebuild`);
    await waitForCheckpoints(servers.mongoUrl, rebuilt, READ_MODEL_PROJECTIONS, end);
    const afterFailover = await readModelDocuments(servers.mongoUrl, d.database);
    expect(Object.keys(afterFailover)).toEqual(expect.arrayContaining(['customers', 'usage', 'audit']));
    expect(afterFailover).toEqual(await readModelDocuments(servers.mongoUrl, rebuilt));

    await waitFor(async () => (await topicSize(servers.kafkaBrokers, d.topic)) >= positions.length);
    const published = new Set((await readWholeTopic(servers.kafkaBrokers, d.topic)).map((m) => m.position));
    expect(positions.filter((position) => !published.has(position))).toEqual([]);
  });
});

/** A process's log line, waited for: the lease changes hands when the TTL says, not when the test asks. */
async function lineIn(server: ServerProcess, text: string): Promise<void> {
  await waitFor(async () => server.output.some((line) => line.includes(text)));
}

async function waitFor(condition: () => Promise<boolean>, attempts = 300): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not met after waiting');
}
