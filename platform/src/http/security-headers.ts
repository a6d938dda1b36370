import type { NextFunction, Request, Response } from 'express';

/** A year, the preload list's minimum; subdomains too, so no sibling name can be served in the clear. */
const HSTS = 'max-age=31536000; includeSubDomains';
/** An API answers JSON: nothing in it may load anything, and no page may frame it. `/docs` sets its own. */
const CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * The headers a browser-facing API sends on every answer (OWASP's REST list).
 * HSTS only over TLS: `req.secure` is true for a TLS socket, or behind a proxy
 * the `trust proxy` setting believes when it says `X-Forwarded-Proto: https`;
 * over plain HTTP a browser ignores it anyway, and sending it there would claim
 * what the deployment cannot keep. Four headers, so no helmet: its defaults
 * (a CSP for HTML pages, cross-origin isolation policies) would need undoing
 * for an API that browsers call across origins.
 */
export function securityHeaders() {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.secure) res.setHeader('Strict-Transport-Security', HSTS);
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  };
}
