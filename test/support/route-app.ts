import { once } from 'node:events';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TENANT_CONFIG, openApiDocument, READ_MODEL_PROJECTIONS } from '@otp/contracts';
import {
  commandRoutes,
  createCommandHandler,
  createKeyUseRecorder,
  createLimitRecorder,
  createOtpQuotaGate,
  otpUsageFromReadModel,
  createDevMailbox,
  createSmtpMailer,
  createSigningKeyring,
  createTenantMailers,
  createTokenIssuer,
  loadOrCreateKeyFile,
  LONGEST_ACCESS_TOKEN_TTL_SECONDS,
  type SignupLimits,
} from '@otp/command-service';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { browserCors, createApiKeyAuthenticator, createOperatorCheck, createRequestGuard, createServiceKeyCheck } from '@otp/platform/auth';
import { createTxtLookup } from '@otp/platform/dns';
import { createConsistencyTokens } from '@otp/platform/crypto';
import { observeAppends, StreamStateCache } from '@otp/platform/event-store';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { createHttpApp, createMetrics, metricsGuard } from '@otp/platform/http';
import { createLogger, type Logger } from '@otp/platform/logging';
import { createReadModelProjections, registerProjectionMetrics } from '@otp/projection-service';
import { queryRoutes } from '@otp/query-service';
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
  /** What the signup routes allow one client network; unset, more than any spec sends from 127.0.0.1. */
  signupLimits?: SignupLimits;
}

export const SPEC_ISSUER = 'http://route-spec.test';
/** What a tenant that never wrote its config gets. */
export const SPEC_ACCESS_TOKEN_TTL_SECONDS = DEFAULT_TENANT_CONFIG.tokens.accessTtlSeconds;
/** Seals the signing keys' private halves, so a spec can give a key stream of its own. */
export const SPEC_SIGNING_KEY_ENCRYPTION_KEY = Buffer.alloc(32, 11);
export const SPEC_DEPLOYMENT = 'spec';
/** Every spec's signups come from one address: a budget none of them reaches, for those that are not about it. */
const UNREACHED_SIGNUP_LIMITS: SignupLimits = {
  request: { capacity: 100_000, refillPerSecond: 100 },
  verify: { capacity: 100_000, refillPerSecond: 100 },
};

/**
 * The one place route specifications build the service: the real express app with the real
 * command and query routers, over a real SQLite event store and read-model store in a temp
 * folder, with the read-model projections running in this process (not on a worker thread, so a
 * spec can wait for them) and the dev mailbox writing each code to a file. It mirrors the
 * embedded composition root; when the routers' or the runner's dependencies change, this
 * function is what follows them.
 */
export async function startRouteApp(options: RouteAppOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'otp-route-spec-'));
  if (options.eventsFrom) copyFileSync(options.eventsFrom, join(dir, 'events.sqlite'));
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const eventStore = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  const documents = openSqliteDocumentStore({ file: join(dir, 'read-models.sqlite') });
  const mailboxDir = join(dir, 'mailbox');
  const mailer = options.smtpUrl
    ? createSmtpMailer(options.smtpUrl, 'Spec <no-reply@route-spec.test>')
    : createDevMailbox(mailboxDir, 'Spec <no-reply@route-spec.test>', logger);
  // Nothing listens there unless a spec says where its Resend server is.
  const mailers = createTenantMailers({
    relay: mailer,
    encryptionKey: SPEC_SIGNING_KEY_ENCRYPTION_KEY,
    from: 'Spec <no-reply@route-spec.test>',
    resend: options.resend ?? { baseUrl: 'http://127.0.0.1:9', timeoutMs: 1_000 },
    logger,
  });
  const states = new StreamStateCache();
  const checkOperator = createOperatorCheck(SPEC_OPERATOR_TOKEN, SPEC_HASH_KEY);
  const consistency = createConsistencyTokens(SPEC_HASH_KEY);
  const projections = createReadModelProjections({ eventStore, documents, logger });
  if (options.projections !== false) await projections.start();
  const metrics = createMetrics();
  registerProjectionMetrics(metrics.registry, () => projections.statuses());
  const commands = createCommandHandler({ eventStore: observeAppends(eventStore, metrics.appended), states });
  const signingKeys = createSigningKeyring({
    commands,
    encryptionKey: SPEC_SIGNING_KEY_ENCRYPTION_KEY,
    deployment: SPEC_DEPLOYMENT,
    accessTokenTtlSeconds: LONGEST_ACCESS_TOKEN_TTL_SECONDS,
    firstKey: () => loadOrCreateKeyFile(join(dir, 'signing-key.json')),
  });
  // At start, not in a request: the key file joins an empty stream here, and a wrong encryption key stops the start.
  await signingKeys.current(new Date());
  const tokens = createTokenIssuer(signingKeys, SPEC_HASH_KEY, {
    issuer: SPEC_ISSUER,
    sessionMaxAgeSeconds: 90 * 86_400,
  });
  const keyUse = createKeyUseRecorder({ commands, logger });
  // Off unless asked for: a key's use appends in the background, which would be a new event in every case.
  const onAuthenticated = options.recordKeyUse ? keyUse.record : undefined;
  const authenticate = createApiKeyAuthenticator({
    eventStore,
    states,
    hashKey: SPEC_HASH_KEY,
    ...(onAuthenticated ? { onAuthenticated } : {}),
  });
  const limits = createLimitRecorder({ commands, logger });
  const quotas = createOtpQuotaGate({ commands, usage: otpUsageFromReadModel(documents), recorder: limits });
  const guard = createRequestGuard({
    authenticate,
    checkOperator,
    eventStore,
    states,
    hashKey: SPEC_HASH_KEY,
    registry: metrics.registry,
    onRateLimited: limits.rateLimited,
  });

  // A port no server listens on when a spec brings none: a lookup then fails fast instead of asking the internet.
  const lookupTxt = createTxtLookup({ servers: [options.dnsResolver ?? '127.0.0.1:9'], timeoutMs: 500 });
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
      browserCors({ eventStore, states }),
      commandRoutes({
        commands,
        hashKey: SPEC_HASH_KEY,
        mailer,
        mailers,
        tokens,
        signingKeys,
        auditHistory: { eventStore, onPageRead: metrics.historyPageRead },
        logger,
        encryptionKey: SPEC_SIGNING_KEY_ENCRYPTION_KEY,
        lookupTxt,
        guard,
        quotas,
        consistency,
        signupLimits: options.signupLimits ?? UNREACHED_SIGNUP_LIMITS,
      }),
      queryRoutes({
        documents,
        eventStore,
        consistency,
        guard,
        checkServiceKey: createServiceKeyCheck(
          options.serviceKey === null ? undefined : (options.serviceKey ?? SPEC_SERVICE_KEY),
          SPEC_HASH_KEY,
        ),
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
    keyUseIdle: keyUse.idle,
    /** Resolves once the limit refusals recorded so far are appended. */
    limitsIdle: limits.idle,
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
      await limits.idle();
      await projections.stop();
      await mailer.close();
      await documents.close();
      await eventStore.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type RouteApp = Awaited<ReturnType<typeof startRouteApp>>;
