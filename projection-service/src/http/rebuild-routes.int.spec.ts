import { randomBytes, randomUUID } from 'node:crypto';
import { problemTypes } from '@otp/contracts';
import { createOperatorCheck } from '@otp/platform/auth';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { createHttpApp, createMetrics, serve } from '@otp/platform/http';
import { createLogger } from '@otp/platform/logging';
import { describe, expect, it } from 'vitest';
import { createReadModelProjections, type ReadModelProjections } from '../read-model-projections';
import { besideName } from '../rebuild/index';
import { captureLogger } from '../testing/capture-logger';
import { appendAll, dumpReadModels } from '../testing/stores';
import { useTempFolder } from '../testing/temp-folder';
import { rebuildRoutes } from './rebuild-routes';

const TOKEN = 'op_rebuild_spec_token_long_enough_0123456789';
const temp = useTempFolder('otp-rebuild-route-');

/**
 * The route as a projection-service serves it, over real stores and real HTTP: `holder` is the
 * current term of the lease (undefined on a standby). `gate`, when set, holds each rebuild at its
 * first write beside the live collections, so a second request meets the first one running.
 */
async function start() {
  const file = temp.path(`${randomUUID()}.sqlite`);
  const eventStore = openSqliteEventStore({ file });
  const sqlite = openSqliteDocumentStore({ file });
  let gate: { reached: () => void; opened: Promise<void> } | undefined;
  // The live store itself, its reset held back while the gate is shut.
  const documents = new Proxy(sqlite, {
    get(target, key, receiver) {
      if (key !== 'reset') return Reflect.get(target, key, receiver) as unknown;
      return async (collections: string[], name: string) => {
        if (gate && name === besideName('audit')) {
          gate.reached();
          await gate.opened;
        }
        return target.reset(collections, name);
      };
    },
  });
  const end = await appendAll(eventStore);
  const group = createReadModelProjections({ eventStore, documents, logger: captureLogger().logger });
  await group.start();
  for (const name of ['customers', 'usage', 'audit']) expect(await group.waitForPosition(name, end, 5_000)).toBe(true);
  let holder: ReadModelProjections | undefined;
  const logger = createLogger({ level: 'silent' });
  const app = createHttpApp({
    logger,
    metrics: createMetrics(),
    metricsAccess: 'own-listener',
    readiness: {},
    openapi: () => ({}),
    routers: [rebuildRoutes({ rebuilder: () => holder, checkOperator: createOperatorCheck(TOKEN, randomBytes(32)) })],
  });
  const api = await serve(app, { port: 0, host: '127.0.0.1', logger, signals: [], close: async () => {} });
  temp.closeAfter(
    () => eventStore.close(),
    () => sqlite.close(),
    () => group.stop(),
    () => api.shutdown('test'),
  );
  /** `token` '' sends no Authorization header. */
  const post = (projection: string, token = TOKEN) =>
    fetch(`http://127.0.0.1:${api.port}/v1/admin/projections/${projection}/rebuild`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  return {
    post,
    documents,
    end,
    takeLease: () => (holder = group),
    holdRebuilds: () => {
      let reached!: () => void;
      let open!: () => void;
      const hit = new Promise<void>((resolve) => (reached = resolve));
      gate = { reached, opened: new Promise<void>((resolve) => (open = resolve)) };
      return { hit, open };
    },
  };
}

const lines = async (answer: Response) =>
  (await answer.text())
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('POST /v1/admin/projections/{name}/rebuild on a projection-service', () => {
  it('answers 503 not-lease-holder on a standby, touching nothing, and rebuilds once the instance holds the lease', async () => {
    const { post, documents, takeLease, end } = await start();
    const before = await dumpReadModels(documents);

    const standby = await post('usage');
    expect(standby.status).toBe(503);
    expect(standby.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await standby.json()).toMatchObject({ type: problemTypes.notLeaseHolder, status: 503, detail: expect.stringMatching(/lease/) });
    expect(await documents.getCheckpoint(besideName('usage'))).toBeUndefined();

    takeLease();
    const answer = await post('usage');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect((await lines(answer)).at(-1)).toMatchObject({ projection: 'usage', phase: 'done', position: end.toString() });
    expect(await dumpReadModels(documents)).toEqual(before);
  });

  it('asks who calls before anything else, then which projection', async () => {
    const { post } = await start();
    expect((await post('usage', '')).status).toBe(401);
    expect((await post('usage', `${TOKEN}0`)).status).toBe(401);
    // Even a standby says which projections there are: the name is wrong wherever it is sent.
    const unknown = await post('nonsense');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ type: problemTypes.notFound, detail: expect.stringMatching(/customers, usage, audit/) });
  });

  it('answers 409 to a second rebuild of a projection while the first runs, which then finishes', async () => {
    const { post, takeLease, holdRebuilds } = await start();
    takeLease();
    const held = holdRebuilds();
    const first = post('audit');
    await held.hit;
    const second = await post('audit');
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ type: problemTypes.conflict, detail: 'projection audit is already being rebuilt' });
    held.open();
    const done = await first;
    expect(done.status).toBe(200);
    expect((await lines(done)).at(-1)).toMatchObject({ projection: 'audit', phase: 'done' });
  });
});
