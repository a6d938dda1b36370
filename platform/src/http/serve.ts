import { once } from 'node:events';
import type { RequestListener, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/index';

export interface ServeOptions {
  port: number;
  host: string;
  logger: Logger;
  /** Releases what requests use (stores, clients, background loops); runs after the last request has finished. */
  close: () => Promise<void>;
  /** Extra fields for the "listening" line, e.g. the mode. */
  describe?: Record<string, unknown>;
  /** How long requests in flight may take to finish before their connections are cut. Default 10 s. */
  graceMs?: number;
  /** Default SIGTERM and SIGINT; tests pass none and call `shutdown`. */
  signals?: NodeJS.Signals[];
  exit?: (code: number) => void;
}

export interface Serving {
  server: Server;
  port: number;
  /** Stops taking requests, lets those in flight finish, then closes; idempotent. */
  shutdown(reason: string): Promise<void>;
}

/**
 * Listens, and on a termination signal shuts down in the order that loses
 * nothing: stop accepting, drain requests in flight (bounded by the grace
 * period), close the dependencies they use, exit.
 */
export async function serve(app: RequestListener, options: ServeOptions): Promise<Serving> {
  const { logger } = options;
  const graceMs = options.graceMs ?? 10_000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const server = createServer(app);
  let draining = false;
  // A response finished during the drain leaves a keep-alive connection that
  // clients hold for seconds; closing it once idle ends the drain with the last response.
  server.on('request', (_req, res) => {
    res.once('finish', () => {
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  logger.info({ port, host: options.host, ...options.describe }, `listening on http://${options.host}:${port}`);

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down');
      const force = setTimeout(() => {
        logger.warn({ graceMs }, 'grace period over; closing open connections');
        server.closeAllConnections();
      }, graceMs).unref();
      const closed = once(server, 'close');
      draining = true;
      server.close();
      server.closeIdleConnections();
      await closed;
      clearTimeout(force);
      await options.close();
      logger.info('stopped');
    })();
    return stopping;
  };

  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => {
      shutdown(signal).then(
        () => exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          exit(1);
        },
      );
    });
  }
  return { server, port, shutdown };
}

/**
 * Runs a process entry; a failure before listening (bad config, an
 * unreachable dependency) ends the process with one plain line saying why.
 */
export function runMain(name: string, main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
