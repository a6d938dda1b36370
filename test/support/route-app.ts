import { once } from 'node:events';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TENANT_CONFIG, openApiDocument, READ_MODEL_PROJECTIONS } from '@otp/contracts';
import { composeCommandSide, createDevMailbox, createSmtpMailer, type SignupLimitsConfig } from '@otp/command-service';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { createTxtLookup } from '@otp/platform/dns';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { createHttpApp, createMetrics, metricsGuard } from '@otp/platform/http';
import { createLogger, type Logger } from '@otp/platform/logging';
import { createReadModelProjections, registerProjectionMetrics } from '@otp/projection-service';
import { composeQuerySide } from '@otp/query-service';
import { SPEC_HASH_KEY, SPEC_OPERATOR_TOKEN, SPEC_SERVICE_KEY } from './spec-secrets';

export interface RouteAppOptions {
  /** An event store file to start from (copied, never written): a history written by an earlier version. */
  eventsFrom?: string;
  /** Sends codes over SMTP instead of into the dev mailbox, e.g. to a port where no server listens. */
  smtpUrl?: string;
  /** Records each key's last use as the composition roots do (customers/key-use-recorder.ts). */
  recordKeyUse?: boolean;
  /** The X-Service-Key the service lookups accept; SPEC_SERVICE_KEY unless given, none when null (as with SERVICE_KEY unset). */
  serviceKey?: string | null;
  /** Where tenants on `{kind: 'resend'}` send: a local server standing in for the Resend API. */
  resend?: { baseUrl: string; timeoutMs: number };
  /** The app's logger (silent otherwise), e.g. one writing to a stream a spec reads. */
  logger?: Logger;
  /** The DNS servers the domain checks ask (`127.0.0.1:<port>` of a spec's own server); unset, nothing answers. */
  dnsResolver?: string;
  /** Express `trust proxy`, for the specs of what a TLS proxy's X-Forwarded-Proto changes. */
  trustProxy?: boolean | number | string;
  /**
   * false: the read models are never projected, for specs of routes that read the event store
   * only and append far more than a projection keeps up with on the test's own thread.
   */
  projections?: boolean;
  /** What the signup routes allow one client network (the SIGNUP_* settings); unset, more than any spec sends from 127.0.0.1. */
  signupLimits?: SignupLimitsConfig;
}

export const SPEC_ISSUER = 'http://route-spec.test';
/** What a tenant that never wrote its config gets. */
export const SPEC_ACCESS_TOKEN_TTL_SECONDS = DEFAULT_TENANT_CONFIG.tokens.accessTtlSeconds;
/** Seals the signing keys' private halves, so a spec can give a key stream of its own. */
export const SPEC_SIGNING_KEY_ENCRYPTION_KEY = Buffer.alloc(32, 11);
export const SPEC_DEPLOYMENT = 'spec';
/** Every spec's signups come from one address: a budget none of them reaches, for those that are not about it. */
const UNREACHED_SIGNUP_LIMITS: SignupLimitsConfig = {
  SIGNUP_PER_ADDRESS_BURST: 10_000,
  SIGNUP_PER_ADDRESS_PER_HOUR: 100_000,
  SIGNUP_VERIFY_PER_ADDRESS_BURST: 10_000,
  SIGNUP_VERIFY_PER_ADDRESS_PER_HOUR: 100_000,
};

/**
 * The one place route specifications build the service: the real express app with the real
 * command and query routers, over a real SQLite event store and read-model store in a temp
 * folder, with the read-model projections running in this process (not on a worker thread, so a
 * spec can wait for them) and the dev mailbox writing each code to a file. The routes and their
 * dependencies are the ones every form builds (composeCommandSide, composeQuerySide); only what
 * differs for a spec (stores in a temp folder, its secrets, its mailers and DNS) is chosen here.
 */
export async function startRouteApp(options: RouteAppOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'otp-route-spec-'));
  if (options.eventsFrom) copyFileSync(options.eventsFrom, join(dir, 'events.sqlite'));
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const eventStore = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  const documents = openSqliteDocumentStore({ file: join(dir, 'read-models.sqlite') });
  const mailboxDir = join(dir, 'mailbox');
  const from = 'Spec <no-reply@route-spec.test>';
  const mailer = options.smtpUrl ? createSmtpMailer(options.smtpUrl, from) : createDevMailbox(mailboxDir, from, logger);
  const projections = createReadModelProjections({ eventStore, documents, logger });
  if (options.projections !== false) await projections.start();
  const metrics = createMetrics();
  registerProjectionMetrics(metrics.registry, () => projections.statuses());
  const commandSide = await composeCommandSide({
    settings: {
      MAIL_FROM: from,
      SESSION_MAX_AGE_SECONDS: 90 * 86_400,
      DEPLOYMENT_ID: SPEC_DEPLOYMENT,
      // Nothing listens there unless a spec says where its Resend server is.
      RESEND_BASE_URL: options.resend?.baseUrl ?? 'http://127.0.0.1:9',
      RESEND_TIMEOUT_MS: options.resend?.timeoutMs ?? 1_000,
      ...(options.signupLimits ?? UNREACHED_SIGNUP_LIMITS),
    },
    secrets: { hashKey: SPEC_HASH_KEY, operatorToken: SPEC_OPERATOR_TOKEN, encryptionKey: SPEC_SIGNING_KEY_ENCRYPTION_KEY },
    eventStore,
    readModels: documents,
    mailer,
    signingKeyFile: join(dir, 'signing-key.json'),
    issuer: SPEC_ISSUER,
    // A port no server listens on when a spec brings none: a lookup then fails fast instead of asking the internet.
    lookupTxt: createTxtLookup({ servers: [options.dnsResolver ?? '127.0.0.1:9'], timeoutMs: 500 }),
    metrics,
    logger,
    // Off unless asked for: a key's use appends in the background, which would be a new event in every case.
    recordKeyUse: options.recordKeyUse ?? false,
  });

  const app = createHttpApp({
    logger,
    metrics,
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    // The embedded default (METRICS_ACCESS=operator).
    metricsAccess: metricsGuard('operator', SPEC_OPERATOR_TOKEN),
    openapi: () => openApiDocument(),
    readiness: { eventStore: () => eventStore.ping(), readModels: () => documents.ping() },
    degradation: { projections: async () => projections.assertRunning() },
    routers: [
      commandSide.edge.cors,
      commandSide.routes,
      composeQuerySide({
        documents,
        eventStore,
        guard: commandSide.edge.guard,
        secrets: { hashKey: SPEC_HASH_KEY, serviceKey: options.serviceKey === null ? undefined : (options.serviceKey ?? SPEC_SERVICE_KEY) },
        waitForPosition: (projection, p, ms) => projections.waitForPosition(projection, p, ms),
      }),
    ],
  });
  const server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    /** Resolves once the key uses recorded so far are appended. */
    keyUseIdle: commandSide.keyUseIdle,
    /** Resolves once the limit refusals recorded so far are appended. */
    limitsIdle: commandSide.limitsIdle,
    /** The store itself, uncounted: given events go in here, as if appended by earlier requests. */
    eventStore,
    /** The read models as the projections left them, for specs that compare a read model with what else answers. */
    documents,
    /** The store's SQLite file, for specs that alter what is stored behind the service's back. */
    eventsFile: join(dir, 'events.sqlite'),
    mailboxDir,
    /** Resolves once every read model has applied `position`; a spec's given must be projected before its request. */
    async projected(position: bigint): Promise<void> {
      for (const projection of READ_MODEL_PROJECTIONS) {
        if (!(await projections.waitForPosition(projection, position, 5_000)))
          throw new Error(`${projection} did not reach position ${position}`);
      }
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await commandSide.idle();
      await projections.stop();
      await mailer.close();
      await documents.close();
      await eventStore.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type RouteApp = Awaited<ReturnType<typeof startRouteApp>>;
