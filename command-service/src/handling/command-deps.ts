import type { TxtLookup } from '@otp/platform/dns';
import type { Logger } from '@otp/platform/logging';
import type { Mailer } from '../email/mailer';
import type { TenantMailers } from '../email/tenant-mailers';
import type { TokenIssuer } from '../tokens/token-issuer';
import type { CommandHandler } from './command-handler';

/** What the write side's use cases need; built once in a composition root. */
export interface CommandDeps {
  /** Runs commands against the event store; holds the process's stream-state cache and per-stream queue. */
  commands: CommandHandler;
  /** Server secret for keyed hashes (codes, keys, email keys, refresh tokens). */
  hashKey: Buffer;
  /** The key-encryption key the signing keys are sealed under; tenant secrets are sealed under a key derived from it. */
  encryptionKey: Buffer;
  /** The deployment's own mailer (SMTP relay or dev mailbox), for mail sent on no tenant's behalf. */
  mailer: Mailer;
  /** Each tenant's mailer as its config chooses (the relay above, or its HTTP provider); holds the opened keys. */
  mailers: TenantMailers;
  tokens: TokenIssuer;
  logger: Logger;
  /** DNS TXT lookups for sending-domain checks, sent to DNS_RESOLVER when set. */
  lookupTxt: TxtLookup;
}
