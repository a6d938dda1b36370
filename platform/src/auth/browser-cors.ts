import { Router, type Request } from 'express';
import { CustomerId, parseApiKey } from '@otp/contracts';
import type { EventStore } from '../event-store/port';
import type { StreamStateCache } from '../event-store/stream-state-cache';
import { createTenantOrigins, originNotAllowed } from './browser-origins';

/** The query parameter that names the tenant on a preflight, which carries no Authorization header. */
export const CORS_TENANT_PARAM = 'customer';

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = 'Authorization, Content-Type, If-Match, X-Request-Id, X-Min-Position';
// What a page's script may read of an answer besides the CORS-safelisted headers.
const EXPOSED_HEADERS =
  'X-Request-Id, X-Event-Position, ETag, Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset';
/** Browsers cap it anyway (Chromium at 2 hours); 10 minutes lets a removed origin stop preflighting soon. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** The tenant a request names: its API key's prefix (unverified: it only picks whose origins to read), else `?customer=`. */
function tenantOf(req: Request, named: string | undefined): string | undefined {
  const bearer = /^Bearer[ ]+(\S+)\s*$/i.exec(req.header('authorization') ?? '')?.[1];
  const fromKey = bearer !== undefined ? parseApiKey(bearer)?.customerId : undefined;
  if (fromKey !== undefined) return fromKey;
  return CustomerId.safeParse(named).success ? named : undefined;
}

/** Takes `?customer=` off the URL, so the routes (whose query schemas are strict) never see it; answers its value. */
function takeTenantParam(req: Request): string | undefined {
  const at = req.url.indexOf('?');
  if (at < 0) return undefined;
  const params = new URLSearchParams(req.url.slice(at + 1));
  const named = params.get(CORS_TENANT_PARAM) ?? undefined;
  if (named === undefined) return undefined;
  params.delete(CORS_TENANT_PARAM);
  const rest = params.toString();
  req.url = `${req.url.slice(0, at)}${rest ? `?${rest}` : ''}`;
  return named;
}

/**
 * CORS for the tenants' web pages: an answer grants exactly the origins in the
 * tenant's `cors.allowedOrigins` (echoed, with `Vary: Origin`, never `*`, never
 * credentials: keys travel in Authorization, not cookies). A preflight has no
 * Authorization header, so it names the tenant with `?customer=cus_...`
 * (docs/decisions.md). This only lets pages read answers; whether a key is
 * accepted from an origin is the authenticator's decision (browser-origins.ts).
 * Mounted before every router.
 */
export function browserCors({ eventStore, states }: { eventStore: EventStore; states: StreamStateCache }): Router {
  const origins = createTenantOrigins({ eventStore, states });
  const router = Router();
  router.use(async (req, res, next) => {
    const named = takeTenantParam(req);
    const origin = req.header('origin');
    if (origin === undefined) return next();
    res.vary('Origin');
    const customerId = tenantOf(req, named);
    const allowed = customerId !== undefined && (await origins.allows(customerId, origin));
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    }
    const preflight = req.method === 'OPTIONS' && req.header('access-control-request-method') !== undefined;
    if (!preflight) return next();
    if (!allowed) {
      const detail =
        customerId === undefined
          ? `a preflight names its tenant: add ?${CORS_TENANT_PARAM}=cus_... to the URL`
          : "this origin is not in the tenant's cors.allowedOrigins";
      throw originNotAllowed(detail);
    }
    res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
    res.status(204).end();
  });
  return router;
}
