/** An origin as a browser serialises it (scheme, host, port only when not the default), or undefined when it is none. */
function serialised(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether a browser page at `origin` may use the tenant's keys: exactly one of
 * the tenant's allowed origins, compared as browsers serialise them
 * (`https://app.example.com:443` is `https://app.example.com`). The opaque
 * origin `null` (a sandboxed frame, a file) is never allowed: any page can be it.
 */
export function originAllowed(origin: string, allowedOrigins: readonly string[]): boolean {
  const presented = serialised(origin);
  return presented !== undefined && allowedOrigins.some((allowed) => serialised(allowed) === presented);
}
