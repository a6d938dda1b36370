import { once } from 'node:events';
import type { RequestListener, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { problemTypes } from '@otp/contracts';
import type { Logger } from '../logging/index';
import { ProblemError } from './problem-error';

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
  /** A port already held (`bindPort`); without it, `serve` binds `host:port` itself. */
  bound?: BoundPort;
  /** For the port `serve` binds itself; a bound port has its limits already. */
  limits?: ConnectionLimits;
}

export interface Serving {
  server: Server;
  port: number;
  /** Stops taking requests, lets those in flight finish, then closes; idempotent. */
  shutdown(reason: string): Promise<void>;
}

export interface BoundPort {
  server: Server;
  port: number;
  /** Hands requests to the app; until then each is answered 503, "starting". */
  attach(app: RequestListener): void;
}

/**
 * What a slow or greedy client may hold. Node's own defaults let a client
 * send its headers for a minute and its body for five, with no cap on
 * connections: one byte a second keeps a socket, and a thousand half-sent
 * bodies are a thousand sockets. Every process reads these from its env.
 */
export const ConnectionLimitsEnv = {
  /** Until the last header line: a client dripping headers is cut after this. */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Until the whole request (headers and body) is in. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** An idle keep-alive connection is closed after this. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  /** Connections over this are closed as they arrive. */
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(1_000),
};
export interface ConnectionLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = connectionLimitsFrom(z.object(ConnectionLimitsEnv).parse({}));

export function connectionLimitsFrom(config: z.infer<z.ZodObject<typeof ConnectionLimitsEnv>>): ConnectionLimits {
  return {
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
  };
}

function createLimitedServer(handler: RequestListener, limits: ConnectionLimits): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      // Node wants the request timeout at least the headers one; 0 would mean none.
      requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Both timeouts are only looked at on this interval (30 s by default), so a limit is kept
      // to within a quarter of itself; the sweep walks the open connections, cheap at these counts.
      connectionsCheckingInterval: Math.max(50, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)),
    },
    handler,
  );
  server.maxConnections = limits.maxConnections;
  return server;
}

/**
 * Takes the port before anything else is made, so that a port already in use fails the
 * start with a line that names PORT and HOST, before a data folder, a key or a token
 * exists. Checking the port and letting it go again would leave a moment for another
 * process to take it; holding it leaves none.
 */
export async function bindPort(port: number, host: string, limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS): Promise<BoundPort> {
  let handle: RequestListener = answerStarting;
  const server = createLimitedServer((req, res) => handle(req, res), limits);
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    throw new Error(listenFailure(error as NodeJS.ErrnoException, port, host), { cause: error });
  }
  return {
    server,
    port: (server.address() as AddressInfo).port,
    attach: (app) => {
      handle = app;
    },
  };
}

function answerStarting(_req: Parameters<RequestListener>[0], res: Parameters<RequestListener>[1]): void {
  const problem = new ProblemError(503, problemTypes.unavailable, 'Service unavailable', 'the service is starting; retry shortly');
  res.writeHead(503, { 'Content-Type': 'application/problem+json', 'Retry-After': '1' }).end(JSON.stringify(problem.toProblem()));
}

/** What went wrong in the words of the variables the reader sets, and what to set instead. */
function listenFailure(error: NodeJS.ErrnoException, port: number, host: string): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `PORT=${port} is already in use on HOST=${host}: stop the process that holds it, or choose another port, e.g. PORT=${port + 1}`;
    case 'EACCES':
      return `PORT=${port} on HOST=${host} needs privileges this process does not have: choose a port above 1023, e.g. PORT=3000`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `HOST=${host} is not an address of this machine: choose 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)`;
    default:
      return `cannot listen on HOST=${host} PORT=${port}: ${error.message}`;
  }
}

/**
 * Serves the app on its port (bound here, or before by `bindPort`), and on a
 * termination signal shuts down in the order that loses nothing: stop
 * accepting, drain requests in flight (bounded by the grace period), close
 * the dependencies they use, exit.
 */
export async function serve(app: RequestListener, options: ServeOptions): Promise<Serving> {
  const { logger } = options;
  const graceMs = options.graceMs ?? 10_000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const bound = options.bound ?? (await bindPort(options.port, options.host, options.limits));
  const { server, port } = bound;
  let draining = false;
  // A response finished during the drain leaves a keep-alive connection that
  // clients hold for seconds; closing it once idle ends the drain with the last response.
  server.on('request', (_req, res) => {
    res.once('finish', () => {
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  bound.attach(app);
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
