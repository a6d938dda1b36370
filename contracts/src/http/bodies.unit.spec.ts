import { describe, expect, it } from 'vitest';
import { RegisterCustomerBody, RequestOtpBody, VerifyOtpBody } from './bodies';

const emailOf = (email: unknown) => {
  const parsed = RequestOtpBody.safeParse({ email });
  return parsed.success ? parsed.data.email : parsed.error.issues.map((issue) => issue.message);
};

describe('email addresses in request bodies', () => {
  it('take an internationalised domain in its ASCII form, so both spellings are one address', () => {
    expect(emailOf('ann@münchen.de')).toBe('ann@xn--mnchen-3ya.de');
    expect(emailOf('ann@xn--mnchen-3ya.de')).toBe('ann@xn--mnchen-3ya.de');
    expect(VerifyOtpBody.parse({ email: 'ann@bücher.example', code: '123456' }).email).toBe('ann@xn--bcher-kva.example');
    expect(RegisterCustomerBody.parse({ name: 'A', email: 'ops@bücher.example' }).email).toBe('ops@xn--bcher-kva.example');
  });

  it('take an internationalised top-level domain too', () => {
    expect(emailOf('ann@пример.рф')).toBe('ann@xn--e1afmkfd.xn--p1ai');
    expect(emailOf('ann@example.中国')).toBe('ann@example.xn--fiqs8s');
  });

  it('refuse what a URL host parser would cut off or decode, instead of mailing another address', () => {
    for (const email of ['ann@victim.com/ü', 'ann@victim.com?ü', 'ann@victim.com#ü', 'ann@mü%41.de', 'ann@mü.de:25', 'ann@[ü]']) {
      expect(emailOf(email), email).toEqual(['must be an email address']);
    }
  });

  it('leave an ASCII address as it was given', () => {
    expect(emailOf('First.Last+tag@Example.co.uk')).toBe('First.Last+tag@Example.co.uk');
  });

  it('refuse a non-ASCII local part, a bare host, a space, a non-string and an over-long address', () => {
    for (const email of ['ü@example.com', 'a@b', 'a@exa mple.com', 42, `a@${'é'.repeat(300)}.de`, `${'a'.repeat(250)}@b.example`]) {
      expect(emailOf(email), String(email).slice(0, 20)).toEqual([expect.stringMatching(/^must be an email address/)]);
    }
  });
});
