import { describe, expect, it } from 'vitest';
import { Cidr, DEFAULT_TENANT_CONFIG, Origin, TenantConfig } from './tenant-config';

describe('tenant config schema', () => {
  it('accepts its own defaults, so version 0 is a valid document', () => {
    expect(TenantConfig.parse(DEFAULT_TENANT_CONFIG)).toEqual(DEFAULT_TENANT_CONFIG);
  });

  it('refuses unknown fields, so a typo is an error rather than a setting silently ignored', () => {
    expect(TenantConfig.safeParse({ ...DEFAULT_TENANT_CONFIG, otpp: {} }).success).toBe(false);
  });

  it.each(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', '::1', '0.0.0.0/0'])('takes %s as an allowlist entry', (value) => {
    expect(Cidr.safeParse(value).success).toBe(true);
  });

  it.each(['10.0.0.0/33', '2001:db8::/129', 'example.com', '10.0.0.0/8/1', '10.0.0.0/', '10.0.0.0/-1'])('refuses %s', (value) => {
    expect(Cidr.safeParse(value).success).toBe(false);
  });

  it.each(['https://app.example.com', 'http://localhost:5173'])('takes %s as an origin', (value) => {
    expect(Origin.safeParse(value).success).toBe(true);
  });

  it.each(['https://app.example.com/', 'https://App.example.com', 'app.example.com', 'https://a.example.com/path', '*'])(
    'refuses %s',
    (value) => {
      expect(Origin.safeParse(value).success).toBe(false);
    },
  );
});
