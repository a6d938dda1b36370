import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { READ_MODEL_PROJECTIONS } from '@otp/contracts';
import { loadConfig } from '@otp/platform/config';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { runMain } from '@otp/platform/http';
import { createLogger } from '@otp/platform/logging';
import { readModelProjectors, rebuildBeside, type RebuildProgress } from '@otp/projection-service';
import { DATA_DIR_FILES } from '../data-dir-files';
import { loadOperatorToken } from '../server-secrets';
import { RebuildEnv, type RebuildConfig } from './rebuild-env';

const HELP = `npm run rebuild -- <projection>

Rebuilds one read model (${READ_MODEL_PROJECTIONS.join(', ')}) from the event log, beside the live
one, and swaps it in. The live read model answers every query until the swap.

  With the server running, asks it to (POST /v1/admin/projections/<projection>/rebuild on
  HOST:PORT): it keeps serving throughout.
  With no server running, rebuilds DATA_DIR's read models in this process.
  Distributed form: with PROJECTION_SERVICE_URL set, asks the projection-service there, which
  must be the instance holding the lease (a standby answers 503). OPERATOR_TOKEN is then required.

Environment, as for npm start: DATA_DIR, HOST, PORT, OPERATOR_TOKEN (else DATA_DIR/operator-token);
or PROJECTION_SERVICE_URL and OPERATOR_TOKEN.
Progress goes to stderr every second; exit status 0 once the rebuilt read model is in place.
`;

type Line = Omit<RebuildProgress, 'position' | 'phase'> & {
  phase: RebuildProgress['phase'] | 'failed';
  position: string | null;
  error?: string;
};

function show(line: Line): void {
  const rate = line.elapsedMs > 0 ? Math.round((line.eventsProjected * 1000) / line.elapsedMs) : 0;
  process.stderr.write(
    `rebuild ${line.projection}: ${line.phase}, ${line.eventsProjected.toLocaleString('en')} events (${rate.toLocaleString('en')}/s), ` +
      `position ${line.position ?? '-'}, ${(line.elapsedMs / 1000).toFixed(1)} s\n`,
  );
}

/** Asks a running server (embedded, or the projection-service holding the lease) and shows its progress lines. */
async function askServer(url: string, token: string): Promise<Line> {
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (!response.ok || !response.body) throw new Error(`the server refused the rebuild: ${response.status} ${await refusal(response)}`);
  let last: Line | undefined;
  let buffered = '';
  for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      last = JSON.parse(buffered.slice(0, end)) as Line;
      buffered = buffered.slice(end + 1);
      if (last.phase !== 'failed') show(last);
    }
  }
  if (!last) throw new Error('the server ended the rebuild without a word');
  return last;
}

/** A problem's detail says what to do (a standby names the lease holder's log line); anything else as it came. */
async function refusal(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const problem = z.object({ detail: z.string() }).safeParse(JSON.parse(text));
    return problem.success ? problem.data.detail : text;
  } catch {
    return text;
  }
}

const rebuildPath = (projection: string) => `/v1/admin/projections/${projection}/rebuild`;

/** Through the embedded server on HOST:PORT: its projection thread rebuilds while it serves. Undefined when nothing listens. */
async function throughServer(config: RebuildConfig): Promise<Line | undefined> {
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}${rebuildPath(config.projection)}`;
  try {
    return await askServer(url, loadOperatorToken(config.DATA_DIR, config.OPERATOR_TOKEN));
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return undefined;
    throw error;
  }
}

/** Through the distributed projection-service: nothing answering there is an error, since its read models are not on this host. */
function throughProjectionService(baseUrl: string, token: string, projection: string): Promise<Line> {
  // Joined, not resolved: a gateway's path prefix in the URL stays.
  return askServer(`${baseUrl.replace(/\/+$/, '')}${rebuildPath(projection)}`, token);
}

/**
 * Leaving WAL mode needs the only connection to the file: while a server has it open the mode
 * stays WAL, and rebuilding here beside its live projection would race it.
 */
function assertNoServerHolds(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    const mode = db.pragma('journal_mode = DELETE', { simple: true });
    if (mode === 'wal') throw new Error(`a server holds ${file} but does not answer on HOST:PORT; set HOST and PORT to its own`);
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}

async function offline(config: RebuildConfig): Promise<Line> {
  const file = join(config.DATA_DIR, DATA_DIR_FILES.readModels);
  assertNoServerHolds(file);
  const projector = readModelProjectors.find((each) => each.name === config.projection);
  if (!projector) throw new Error(`no projection ${config.projection}`);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'otp-auth-rebuild' });
  const eventStore = openSqliteEventStore({ file: join(config.DATA_DIR, DATA_DIR_FILES.events) });
  const documents = openSqliteDocumentStore({ file });
  try {
    const done = await rebuildBeside({
      projector,
      eventStore,
      documents,
      logger,
      onProgress: (progress) => show({ ...progress, position: progress.position?.toString() ?? null }),
    });
    return { ...done, position: done.position?.toString() ?? null };
  } finally {
    await documents.close();
    await eventStore.close();
  }
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(HELP);
} else {
  runMain('otp-auth rebuild', async () => {
    const config = loadConfig(RebuildEnv, { ...process.env, projection: process.argv[2] });
    const done = config.PROJECTION_SERVICE_URL
      ? await throughProjectionService(config.PROJECTION_SERVICE_URL, config.OPERATOR_TOKEN!, config.projection)
      : ((await throughServer(config)) ?? (await offline(config)));
    if (done.phase !== 'done') throw new Error(`rebuild of ${config.projection} failed: ${done.error ?? done.phase}`);
    process.stdout.write(
      `rebuilt ${done.projection}: ${done.eventsProjected} events, through position ${done.position ?? '-'}, in ${(done.elapsedMs / 1000).toFixed(1)} s\n`,
    );
  });
}
