import { composeRequestEdge } from '@otp/platform/auth';
import { createConsistencyTokens } from '@otp/platform/crypto';
import type { TxtLookup } from '@otp/platform/dns';
import type { DocumentStore } from '@otp/platform/document-store';
import { observeAppends, StreamStateCache, type EventStore } from '@otp/platform/event-store';
import type { Metrics } from '@otp/platform/http';
import type { Logger } from '@otp/platform/logging';
import type { CommandSettings } from '../config';
import { OnePassPerTenant } from '../audit-history/one-pass-per-tenant';
import { TenantHeads } from '../audit-history/tenant-checkpoint';
import { createKeyUseRecorder } from '../customers/key-use-recorder';
import type { Mailer } from '../email/mailer';
import { createTenantMailers } from '../email/tenant-mailers';
import { createCommandHandler } from '../handling/command-handler';
import { commandRoutes } from '../http/command-routes';
import { createLimitRecorder } from '../limits/limit-recorder';
import { createOtpQuotaGate } from '../limits/otp-quota-gate';
import { signupLimitsFrom } from '../signup/signup-limits';
import { otpUsageFromReadModel } from '../limits/otp-usage';
import { createSigningKeyring } from '../tokens/signing-keyring';
import { loadOrCreateKeyFile } from '../tokens/signing-keys';
import { createTokenIssuer, LONGEST_ACCESS_TOKEN_TTL_SECONDS } from '../tokens/token-issuer';

/**
 * What a composition root hands the command side: every field is required, so a dependency one
 * form would forget is a compile error in all three (the distributed service, the embedded
 * server, the route specs' app). What differs between them is here; how it is wired is not.
 */
export interface CommandSideInputs {
  /** CommandSettingsEnv as each form parsed it (the route specs' from their own values). */
  settings: CommandSettings;
  /** Resolved by the form: from the environment, from DATA_DIR, or the specs' constants. */
  secrets: {
    /** Keyed hashes, the operator token's check and the consistency tokens the query side opens with the same key. */
    hashKey: Buffer;
    operatorToken: string;
    /** Seals the signing keys' private halves and, under a key derived from it, tenants' secrets. */
    encryptionKey: Buffer;
  };
  eventStore: EventStore;
  /** Read only: the usage read model the OTP quotas are counted against. */
  readModels: DocumentStore;
  /** The deployment's own mailer: SMTP, or the dev mailbox. */
  mailer: Mailer;
  /** The key an empty signing keys' stream starts with; created when missing. */
  signingKeyFile: string;
  /** The `iss` of access tokens. */
  issuer: string;
  /** The domain checks' DNS: DNS_RESOLVER's servers, or a spec's own. */
  lookupTxt: TxtLookup;
  /** The process's: appends, guard refusals and raw-history pages are counted there. */
  metrics: Metrics;
  logger: Logger;
  /** Each key that gets in is recorded once a minute; off only where a spec must see no event it did not cause. */
  recordKeyUse: boolean;
}

/**
 * The write side's routes and everything they depend on, built once per process. Resolves once
 * the signing keys are readable: at start, not in a request, the key file joins an empty stream
 * and a wrong encryption key stops the start.
 */
export async function composeCommandSide(inputs: CommandSideInputs) {
  const { settings, eventStore, metrics, logger } = inputs;
  const { hashKey, encryptionKey } = inputs.secrets;
  // What the process keeps: one cache of folded streams, for the commands and the key check alike.
  const states = new StreamStateCache();
  const commands = createCommandHandler({ eventStore: observeAppends(eventStore, metrics.appended), states });
  const mailers = createTenantMailers({
    relay: inputs.mailer,
    encryptionKey,
    from: settings.MAIL_FROM,
    resend: { baseUrl: settings.RESEND_BASE_URL, timeoutMs: settings.RESEND_TIMEOUT_MS },
    logger: logger.child({ component: 'email' }),
  });
  // Every instance reads the same key stream, so all sign with the key it calls current.
  const signingKeys = createSigningKeyring({
    commands,
    encryptionKey,
    deployment: settings.DEPLOYMENT_ID,
    accessTokenTtlSeconds: LONGEST_ACCESS_TOKEN_TTL_SECONDS,
    firstKey: () => loadOrCreateKeyFile(inputs.signingKeyFile),
  });
  await signingKeys.current(new Date());
  const tokens = createTokenIssuer(signingKeys, hashKey, { issuer: inputs.issuer, sessionMaxAgeSeconds: settings.SESSION_MAX_AGE_SECONDS });
  // Each key that gets in is recorded once a minute (customers/key-use-recorder.ts); the query service cannot append, so only here.
  const keyUse = createKeyUseRecorder({ commands, logger: logger.child({ component: 'key-use' }) });
  // Limit refusals are recorded once per window; quotas are counted against the usage read model (docs/decisions.md).
  const limits = createLimitRecorder({ commands, logger: logger.child({ component: 'limits' }) });
  const quotas = createOtpQuotaGate({ commands, usage: otpUsageFromReadModel(inputs.readModels), recorder: limits });
  // The buckets and failure records are this process's own (docs/decisions.md).
  const edge = composeRequestEdge({
    eventStore,
    states,
    hashKey,
    operatorToken: inputs.secrets.operatorToken,
    registry: metrics.registry,
    onAuthenticated: inputs.recordKeyUse ? keyUse.record : undefined,
    onRateLimited: limits.rateLimited,
  });
  // Sealed with the hash key, which the query side shares: its reads open these tokens.
  const consistency = createConsistencyTokens(hashKey);
  const routes = commandRoutes({
    commands,
    hashKey,
    mailer: inputs.mailer,
    mailers,
    tokens,
    signingKeys,
    // The heads last computed and the verification running, per tenant: this process's own.
    auditHistory: {
      eventStore,
      onPageRead: metrics.historyPageRead,
      heads: new TenantHeads(eventStore, metrics.historyPageRead),
      verifications: new OnePassPerTenant(),
    },
    logger,
    encryptionKey,
    lookupTxt: inputs.lookupTxt,
    guard: edge.guard,
    quotas,
    consistency,
    signupLimits: signupLimitsFrom(settings),
  });

  return {
    /** Mounted after the edge's CORS router, which goes before every router of the process. */
    routes,
    edge,
    /** Resolves once the key uses recorded so far are appended. */
    keyUseIdle: keyUse.idle,
    /** Resolves once the limit refusals recorded so far are appended. */
    limitsIdle: limits.idle,
    /** What a close waits for before the stores close: the appends still in the background. */
    async idle(): Promise<void> {
      await keyUse.idle();
      await limits.idle();
    },
  };
}
export type CommandSide = Awaited<ReturnType<typeof composeCommandSide>>;
