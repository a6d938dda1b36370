import { streams } from '@otp/contracts';
import { signupCustomerId, signupEmailKey } from '@otp/platform/crypto';
import { normaliseEmail } from '../users/emails';

/** Everything a signup is named by, from its email alone: its stream and the customer it becomes. */
export function signupIdentity(hashKey: Buffer, rawEmail: string) {
  const email = normaliseEmail(rawEmail);
  const emailKey = signupEmailKey(hashKey, email);
  const customerId = signupCustomerId(hashKey, email);
  return {
    email,
    emailKey,
    customerId,
    streamName: streams.signup(emailKey),
    // The one who verifies a signup owns the account: no tenant user, so no user stream, only
    // the id the OTP decider records, named after the customer so it points nowhere else.
    ownerUserId: `usr_${customerId.slice(4)}`,
  };
}
