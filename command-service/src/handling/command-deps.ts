import type { TxtLookup } from '@otp/platform/dns';
import type { Logger } from '@otp/platform/logging';
import type { Mailer } from '../email/mailer';
import type { TokenIssuer } from '../tokens/token-issuer';
import type { CommandHandler } from './command-handler';

/** What the write side's use cases need; built once in a composition root. */
export interface CommandDeps {
  /** Runs commands against the event store; holds the process's stream-state cache and per-stream queue. */
  commands: CommandHandler;
  /** Server secret for keyed hashes (codes, keys, email keys, refresh tokens). */
  hashKey: Buffer;
  mailer: Mailer;
  tokens: TokenIssuer;
  logger: Logger;
  otpCodeLength: number;
  /** DNS TXT lookups for sending-domain checks, sent to DNS_RESOLVER when set. */
  lookupTxt: TxtLookup;
  /** Code requests per email per hour; OTP_DEFAULT_PER_EMAIL_PER_HOUR when absent. */
  otpPerEmailPerHour?: number;
}
