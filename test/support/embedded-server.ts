import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { buildBundle } from './build';
import { httpClient, type HttpCall } from './http';
import { OPERATOR_TOKEN, startServer, type ServerProcess } from './server-process';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

export interface EmbeddedServer {
  /** A temp folder of the describe's own, removed after its cases. */
  readonly dataDir: string;
  readonly smtp: SmtpSink;
  /** The running process; a new one after each `start`. */
  readonly server: ServerProcess;
  /** Calls the running process. */
  readonly http: HttpCall;
  /** Starts the server on the same DATA_DIR, after the test stopped the previous one. */
  start(): Promise<void>;
}

/**
 * The bundle `npm start` runs, as a process over a temp DATA_DIR with an SMTP sink, started
 * before a describe's cases and stopped and removed after them. `beforeStart` may put files
 * into DATA_DIR first; `env` adds settings. Cases read the fields when they run: they are set in `beforeAll`.
 */
export function useEmbeddedServer(
  prefix: string,
  beforeStart?: (dataDir: string) => Promise<void>,
  env: Record<string, string> = {},
): EmbeddedServer {
  let dataDir: string | undefined;
  let smtp: SmtpSink | undefined;
  let server: ServerProcess | undefined;
  let http: HttpCall | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the embedded server is set up in beforeAll');
    return value;
  };
  const start = async () => {
    server = await startServer({ ...env, DATA_DIR: started(dataDir), OPERATOR_TOKEN, SMTP_URL: started(smtp).url });
    http = httpClient(server.baseUrl);
  };

  beforeAll(async () => {
    buildBundle();
    dataDir = mkdtempSync(join(tmpdir(), prefix));
    smtp = await startSmtpSink();
    await beforeStart?.(dataDir);
    await start();
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  return {
    get dataDir() {
      return started(dataDir);
    },
    get smtp() {
      return started(smtp);
    },
    get server() {
      return started(server);
    },
    get http() {
      return started(http);
    },
    start,
  };
}
