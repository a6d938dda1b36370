import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocument } from '@otp/contracts';
import {
  createCommandHandler,
  createKeyUseRecorder,
  createLimitRecorder,
  createOtpQuotaGate,
  otpUsageFromReadModel,
  createDevMailbox,
  createSmtpMailer,
  createTenantMailers,
  createTokenIssuer,
  commandRoutes,
  createSigningKeyring,
  loadOrCreateKeyFile,
  LONGEST_ACCESS_TOKEN_TTL_SECONDS,
} from '@otp/command-service';
import { browserCors, createApiKeyAuthenticator, createOperatorCheck, createRequestGuard, createServiceKeyCheck } from '@otp/platform/auth';
import { createTxtLookup } from '@otp/platform/dns';
import { createConsistencyTokens } from '@otp/platform/crypto';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { observeAppends, StreamStateCache } from '@otp/platform/event-store';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { createHttpApp, createMetrics, metricsPlacement } from '@otp/platform/http';
import type { Logger } from '@otp/platform/logging';
import { registerProjectionMetrics } from '@otp/projection-service';
import { queryRoutes } from '@otp/query-service';
import type { EmbeddedConfig } from './config';
import { startProjectionThread } from './projection-thread';
import { rebuildRoutes } from './rebuild/rebuild-routes';
import { loadHashKey, loadOperatorToken, loadSigningKeyEncryptionKey } from './server-secrets';
import { DATA_DIR_FILES } from './data-dir-files';

/**
 * The embedded composition root: the three services in one process over two
 * SQLite files, the projections on a worker thread of their own. Events and
 * read models live in separate files so deleting `read-models.sqlite` is all
 * a rebuild takes (see docs/architecture.md).
 */
export async function composeEmbedded(config: EmbeddedConfig, logger: Logger) {
  mkdirSync(config.DATA_DIR, { recursive: true, mode: 0o700 });
  const hashKey = loadHashKey(config.DATA_DIR, config.HASH_KEY);
  const operatorToken = loadOperatorToken(config.DATA_DIR, config.OPERATOR_TOKEN);

  // Appends are sealed and committed (fsync included) on the store's writer thread.
  const eventStore = openSqliteEventStore({
    file: join(config.DATA_DIR, DATA_DIR_FILES.events),
    writer: 'thread',
    onWriterFailure: (error, restartInMs) =>
      logger.error(
        { component: 'event-store', err: error.message, restartInMs },
        'event store writer thread died; appends fail until it is restarted',
      ),
  });
  // Read side only: the projection thread owns the writes to this file.
  const documents = openSqliteDocumentStore({ file: join(config.DATA_DIR, DATA_DIR_FILES.readModels) });

  const mailer = config.SMTP_URL
    ? createSmtpMailer(config.SMTP_URL, config.MAIL_FROM)
    : createDevMailbox(join(config.DATA_DIR, DATA_DIR_FILES.mailbox), config.MAIL_FROM, logger.child({ component: 'dev-mailbox' }));

  // The signing keys' key-encryption key also seals tenants' secrets (under a key derived for them).
  const encryptionKey = loadSigningKeyEncryptionKey(config.DATA_DIR, config.SIGNING_KEY_ENCRYPTION_KEY);
  const mailers = createTenantMailers({
    relay: mailer,
    encryptionKey,
    from: config.MAIL_FROM,
    resend: { baseUrl: config.RESEND_BASE_URL, timeoutMs: config.RESEND_TIMEOUT_MS },
    logger: logger.child({ component: 'email' }),
  });

  // What the process keeps: one cache of folded streams for the commands and the key check, whichever store object each is handed.
  const states = new StreamStateCache();
  const checkOperator = createOperatorCheck(operatorToken, hashKey);
  const consistency = createConsistencyTokens(hashKey);
  const projections = await startProjectionThread({
    // The bundle holds the worker beside this file (scripts/build.mjs).
    workerFile: new URL('./projection-worker.js', import.meta.url),
    dataDir: config.DATA_DIR,
    logLevel: config.LOG_LEVEL,
    logger,
    auditRetentionDays: config.AUDIT_RETENTION_DAYS,
    challengeRetentionMarginMinutes: config.CHALLENGE_RETENTION_MARGIN_MINUTES,
  });
  const metrics = createMetrics();
  registerProjectionMetrics(metrics.registry, () => projections.statuses());
  const commands = createCommandHandler({ eventStore: observeAppends(eventStore, metrics.appended), states });
  // The signing keys live in their stream; the key file, if any, is its first key.
  const signingKeys = createSigningKeyring({
    commands,
    encryptionKey,
    deployment: config.DEPLOYMENT_ID,
    accessTokenTtlSeconds: LONGEST_ACCESS_TOKEN_TTL_SECONDS,
    firstKey: () => loadOrCreateKeyFile(join(config.DATA_DIR, DATA_DIR_FILES.signingKey)),
  });
  // At start, not in a request: the key file joins an empty stream here, and a wrong encryption key stops the start.
  await signingKeys.current(new Date());
  const tokens = createTokenIssuer(signingKeys, hashKey, {
    issuer: config.JWT_ISSUER ?? `http://localhost:${config.PORT}`,
    sessionMaxAgeSeconds: config.SESSION_MAX_AGE_SECONDS,
  });
  // Each key that gets in, on either side, is recorded once a minute (customers/key-use-recorder.ts).
  const keyUse = createKeyUseRecorder({ commands, logger: logger.child({ component: 'key-use' }) });
  const authenticate = createApiKeyAuthenticator({ eventStore, states, hashKey, onAuthenticated: keyUse.record });
  // Limit refusals are recorded once per window; quotas are counted against the usage read model (docs/decisions.md).
  const limits = createLimitRecorder({ commands, logger: logger.child({ component: 'limits' }) });
  const quotas = createOtpQuotaGate({ commands, usage: otpUsageFromReadModel(documents), recorder: limits });
  // One guard for both sides: one process, one set of buckets and failure records.
  const guard = createRequestGuard({
    authenticate,
    checkOperator,
    eventStore,
    states,
    hashKey,
    registry: metrics.registry,
    onRateLimited: limits.rateLimited,
  });

  const { metricsAccess, metricsApp } = metricsPlacement(config, metrics, operatorToken, logger);
  const app = createHttpApp({
    logger,
    metrics,
    metricsAccess,
    trustProxy: config.TRUST_PROXY,
    openapi: () => openApiDocument(),
    readiness: {
      eventStore: () => eventStore.ping(),
      readModels: () => documents.ping(),
    },
    // Stalled projections leave usage and audit behind, not logins: the instance stays in traffic.
    degradation: { projections: async () => projections.assertRunning() },
    routers: [
      // Before every route: a preflight is answered here, and every answer to an allowed origin carries its grant.
      browserCors({ eventStore, states }),
      commandRoutes({
        commands,
        hashKey,
        mailer,
        mailers,
        tokens,
        signingKeys,
        auditHistory: { eventStore, onPageRead: metrics.historyPageRead },
        logger,
        encryptionKey,
        lookupTxt: createTxtLookup({ servers: config.DNS_RESOLVER }),
        guard,
        quotas,
        consistency,
      }),
      queryRoutes({
        documents,
        eventStore,
        consistency,
        guard,
        checkServiceKey: createServiceKeyCheck(config.SERVICE_KEY, hashKey),
        waitForPosition: (projection, p, ms) => projections.waitForPosition(projection, p, ms),
      }),
      rebuildRoutes({ projections, checkOperator }),
    ],
  });

  return {
    app,
    /** The metrics listener's app, when METRICS_PORT is set. */
    metricsApp,
    async close() {
      await projections.stop();
      await keyUse.idle();
      await limits.idle();
      await mailer.close();
      await documents.close();
      await eventStore.close();
    },
  };
}
