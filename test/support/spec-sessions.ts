import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { base64url, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { customerRegistered, otpRequested, specChallenge, type SpecTenant } from './given-events';
import { SPEC_ISSUER } from './route-app';
import { expectNewEvents, expectResponse, type useRouteSpec } from './route-spec';

type RouteSpec = ReturnType<typeof useRouteSpec>;

export interface SpecLogin {
  accessToken: string;
  refreshToken: string;
  userId: string;
  sessionId: string;
}

/** A real login through the app (code requested as a given, verified by request): tokens signed with the app's own key. */
export async function loginThroughApp(
  spec: RouteSpec,
  tenant: SpecTenant,
  email = 'ada@example.com',
  registered = true,
): Promise<SpecLogin> {
  const c = specChallenge(tenant, email);
  const { response, newEvents } = await spec
    .given(registered ? customerRegistered(tenant) : [], otpRequested(c))
    .when((http) => http('POST', '/v1/otp/verify', { token: tenant.key.key, body: { email, code: c.code } }))
    .thenOutcome(
      expectResponse(200),
      expectNewEvents([
        { type: 'OtpVerified' },
        ...(registered ? [{ type: 'UserCreated' }] : []),
        { type: 'UserLoggedIn' },
        { type: 'SessionStarted' },
      ]),
    );
  const session = newEvents.find((e) => e.type === 'SessionStarted')!;
  const body = response.body as { accessToken: string; refreshToken: string; user: { id: string } };
  return {
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    userId: body.user.id,
    sessionId: (session.data as { sessionId: string }).sessionId,
  };
}

export interface ForgeClaims {
  sub: string;
  aud: string;
  sid: string;
  expSecondsFromNow?: number;
}

const payloadOf = (c: ForgeClaims) => {
  const iat = Math.floor(Date.now() / 1000);
  return {
    iss: SPEC_ISSUER,
    sub: c.sub,
    aud: c.aud,
    sid: c.sid,
    client_id: 'key_000000000001',
    jti: 'forged',
    iat,
    exp: iat + (c.expSecondsFromNow ?? 600),
  };
};

/**
 * Tokens the app must refuse, made as an attacker (or a careless tenant) would with jose: the
 * app's own private key is read from its temp folder only to make tokens that differ from a
 * good one in a single respect (an expired one, another tenant's audience).
 */
export async function tokenForger(spec: RouteSpec) {
  const stored = JSON.parse(readFileSync(join(dirname(spec.app.mailboxDir), 'signing-key.json'), 'utf8')) as {
    kid: string;
    privateJwk: JWK;
  };
  const appKey = await importJWK(stored.privateJwk, 'EdDSA');
  const { privateKey: strangerKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const appPublicX = stored.privateJwk.x!;
  const header = { alg: 'EdDSA', kid: stored.kid, typ: 'at+jwt' };
  return {
    kid: stored.kid,
    /** Signed by the app's own key: everything about it is right unless the claims say otherwise. */
    signed: (c: ForgeClaims, typ = 'at+jwt') => new SignJWT(payloadOf(c)).setProtectedHeader({ ...header, typ }).sign(appKey),
    none: (c: ForgeClaims) => {
      const part = (o: object) => base64url.encode(JSON.stringify(o));
      return Promise.resolve(`${part({ alg: 'none', kid: stored.kid, typ: 'at+jwt' })}.${part(payloadOf(c))}.`);
    },
    /** HS256 keyed with the public key as the JWKS serves it: the classic algorithm confusion. */
    hmacWithPublicKey: (c: ForgeClaims) =>
      new SignJWT(payloadOf(c))
        .setProtectedHeader({ alg: 'HS256', kid: stored.kid, typ: 'at+jwt' })
        .sign(new TextEncoder().encode(appPublicX)),
    unknownKid: (c: ForgeClaims) => new SignJWT(payloadOf(c)).setProtectedHeader({ ...header, kid: 'not-a-served-kid' }).sign(strangerKey),
    /** Another key, presented under the served kid. */
    notInJwks: (c: ForgeClaims) => new SignJWT(payloadOf(c)).setProtectedHeader(header).sign(strangerKey),
  };
}
export type TokenForger = Awaited<ReturnType<typeof tokenForger>>;
