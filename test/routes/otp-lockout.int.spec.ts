import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { customerRegistered, specTenant } from '../support/given-events';
import type { HttpCall } from '../support/http';
import { expectNewEvents, expectResponse, useRouteSpec } from '../support/route-spec';

/**
 * Malicious lockout (ASVS 6.1.1; threat model in docs/decisions.md): anyone
 * who knows an email can ask for codes for it and guess at them. Those
 * guesses must not keep the owner from signing in with the code they got.
 */
describe('an attacker guessing at an email does not lock its owner out', () => {
  const spec = useRouteSpec();
  const codeIn = (challengeId: string): string => {
    const message = readFileSync(join(spec.app.mailboxDir, `${challengeId}.eml`), 'utf8');
    const code = /sign-in code is ([0-9]{9})/.exec(message)?.[1];
    if (code === undefined) throw new Error(`no code in the mail of ${challengeId}`);
    return code;
  };
  const request = (token: string, email: string) => (http: HttpCall) => http('POST', '/v1/otp/request', { token, body: { email } });

  it("lets the owner's code verify after ten wrong codes naming the attacker's own challenge", async () => {
    const acme = specTenant();
    const email = 'owner@example.com';
    const token = acme.key.key;

    // The owner asks for a code, then the attacker asks for one for the same email.
    const owner = await spec
      .given(customerRegistered(acme))
      .when(request(token, email))
      .thenOutcome(expectResponse(202), expectNewEvents([{ type: 'OtpRequested' }]));
    const ownerChallenge = String(owner.response.body.challengeId);
    const attacker = await spec
      .given()
      .when(request(token, email))
      .thenOutcome(expectResponse(202), expectNewEvents([{ type: 'OtpRequested' }]));
    const attackerChallenge = String(attacker.response.body.challengeId);

    // Ten wrong codes, each naming the attacker's challenge: five count and lock it, five more find it locked.
    const attackerCode = codeIn(attackerChallenge);
    const reasons: unknown[] = [];
    for (let guess = 0; guess < 10; guess++) {
      const code = String(100_000_000 + guess);
      const wrong = code === attackerCode ? String(200_000_000 + guess) : code;
      const { response, newEvents } = await spec
        .given()
        .when((http) => http('POST', '/v1/otp/verify', { token, body: { email, code: wrong, challengeId: attackerChallenge } }))
        .thenOutcome(
          expectResponse(401),
          expectNewEvents(
            guess === 4 ? [{ type: 'OtpVerificationFailed' }, { type: 'OtpChallengeLocked' }] : [{ type: 'OtpVerificationFailed' }],
          ),
        );
      expect(response.body).toMatchObject({ code: 'code_not_valid' });
      expect(newEvents.map((e) => e.data['challengeId'])).toEqual(newEvents.map(() => attackerChallenge));
      reasons.push(newEvents[0]!.data['reason']);
    }
    expect(reasons).toEqual([...Array<string>(5).fill('wrong_code'), ...Array<string>(5).fill('locked')]);

    // The owner's code, sent with the owner's challenge id, still signs the owner in.
    await spec
      .given()
      .when((http) => http('POST', '/v1/otp/verify', { token, body: { email, code: codeIn(ownerChallenge), challengeId: ownerChallenge } }))
      .then(
        expectResponse(200, { body: { user: { email } } }),
        expectNewEvents([
          { type: 'OtpVerified', data: { challengeId: ownerChallenge, newUser: true } },
          { type: 'UserCreated' },
          { type: 'UserLoggedIn' },
          { type: 'SessionStarted' },
        ]),
      );
  });
});
