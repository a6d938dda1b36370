import { describe, expect, it } from 'vitest';
import { originAllowed } from './browser-origin';

const allowed = ['https://app.acme.test', 'http://localhost:5173'];

describe('which page origins may use a tenant key', () => {
  it.each(['https://app.acme.test', 'https://app.acme.test:443', 'https://APP.acme.test', 'http://localhost:5173'])('allows %s', (origin) =>
    expect(originAllowed(origin, allowed)).toBe(true),
  );

  it.each([
    ['another host', 'https://evil.test'],
    ['a sibling subdomain', 'https://admin.acme.test'],
    ['the same host over plain HTTP', 'http://app.acme.test'],
    ['another port', 'http://localhost:3000'],
    ['the opaque origin of a sandboxed frame or a file', 'null'],
    ['something that is no origin', 'app.acme.test'],
  ])('refuses %s', (_case, origin) => expect(originAllowed(origin, allowed)).toBe(false));

  it('refuses every origin when the tenant allows none', () => expect(originAllowed('https://app.acme.test', [])).toBe(false));
});
