import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '@otp/contracts';
import { findDistributedServers } from '../support/distributed-servers';
import { useDistributedServices } from '../support/use-distributed-services';
import { useEmbeddedServer } from '../support/embedded-server';
import type { HttpCall } from '../support/http';
import { httpClient } from '../support/http';
import { startRouteApp, type RouteApp } from '../support/route-app';

/**
 * Every form serves every operation of the OpenAPI document, and answers it alike: the route
 * specs' app, the embedded server and the distributed services behind the gateway's table. A
 * router or a dependency wired in one form and not another shows here as a 404, a 5xx or an
 * answer that differs. The probes carry no credential (so no failure counts against the
 * address): each route's guard, or its body's validation, answers.
 */
const OPERATIONS = Object.entries(openApiDocument().paths ?? {})
  .flatMap(([path, item]) => Object.keys(item ?? {}).map((method) => ({ method: method.toUpperCase(), path })))
  // Health and metrics are per instance, answered by each process and never by the gateway.
  .filter(({ path }) => !path.startsWith('/health/') && path !== '/metrics')
  // The embedded server's own: the distributed form rebuilds in the projection-service (npm run rebuild).
  .filter(({ path }) => !path.startsWith('/v1/admin/projections/'));

const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'probe');
const operationName = ({ method, path }: { method: string; path: string }) => `${method} ${path}`;

async function answersOf(http: HttpCall): Promise<Record<string, number>> {
  const answers: Record<string, number> = {};
  for (const operation of OPERATIONS) answers[operationName(operation)] = (await http(operation.method, concrete(operation.path))).status;
  return answers;
}

let routeAppAnswers: Record<string, number>;
let routeApp: RouteApp | undefined;

beforeAll(async () => {
  routeApp = await startRouteApp();
  routeAppAnswers = await answersOf(httpClient(routeApp.baseUrl));
});
afterAll(async () => routeApp?.close());

describe('the route specs app', () => {
  it('serves every operation of the document, none with a server error', () => {
    const unserved = Object.entries(routeAppAnswers).filter(([, status]) => status === 404 || status >= 500);
    expect(unserved).toEqual([]);
    expect(Object.keys(routeAppAnswers).length).toBeGreaterThan(30);
  });
});

describe('the embedded server', () => {
  const embedded = useEmbeddedServer('otp-route-parity-');

  it('answers every operation as the route specs app does', async () => expect(await answersOf(embedded.http)).toEqual(routeAppAnswers));
});

const servers = findDistributedServers();
if (!servers.available) process.stdout.write(`skipped: route parity of the distributed services: ${servers.reason}\n`);

describe.skipIf(!servers.available)('the distributed services behind the gateway', () => {
  const d = useDistributedServices(servers, 'route-parity');

  it('answer every operation as the route specs app does', async () => expect(await answersOf(d.services.http)).toEqual(routeAppAnswers));
});
