import { domainToASCII } from 'node:url';
import { z } from 'zod';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A domain a tenant sends its codes from, as DNS sees it: lower case, ASCII
 * (an internationalised name in its punycode form), at least two labels, no
 * trailing dot. It names the TXT record to publish and appears in URL paths,
 * so anything else is refused rather than cut down to fit.
 */
export const SendingDomain = z
  .string({ error: 'must be a domain name' })
  .max(253, 'must be a domain name of at most 253 characters')
  .transform((value) => (/^[ -~]*$/.test(value) ? value.toLowerCase() : domainToASCII(value)))
  .refine((value) => {
    const labels = value.split('.');
    return labels.length >= 2 && value.length <= 253 && labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels.at(-1)!);
  }, 'must be a domain name such as mail.example.com');
export type SendingDomain = z.infer<typeof SendingDomain>;

/** Where the proof goes: a name of its own under the domain, so it never clashes with the domain's SPF or other TXT records. */
export const verificationRecordName = (domain: string): string => `_otp-auth.${domain}`;

/** What the record holds: a fixed tag (so a tenant recognises it among its records) and the token drawn for this domain. */
export const verificationRecordValue = (token: string): string => `otp-auth-verification=${token}`;
