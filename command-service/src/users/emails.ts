// The rule is shared with the read side's lookups, so it lives in contracts.
export { normaliseEmail } from '@otp/contracts';
