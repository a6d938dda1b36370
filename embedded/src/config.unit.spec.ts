import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@otp/platform/config';
import { EmbeddedEnv } from './config';

describe('embedded configuration', () => {
  it('uses the dev mailbox when SMTP_URL is unset outside production', () => {
    expect(loadConfig(EmbeddedEnv, {}).SMTP_URL).toBeUndefined();
    expect(loadConfig(EmbeddedEnv, { NODE_ENV: 'development' }).SMTP_URL).toBeUndefined();
  });

  it('refuses to start in production without SMTP_URL, saying why', () => {
    expect(() => loadConfig(EmbeddedEnv, { NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig(EmbeddedEnv, { NODE_ENV: 'production' })).toThrow(/SMTP_URL: is required when NODE_ENV=production/);
    expect(loadConfig(EmbeddedEnv, { NODE_ENV: 'production', SMTP_URL: 'smtps://u:p@smtp.example.com' }).SMTP_URL).toBe(
      'smtps://u:p@smtp.example.com',
    );
  });

  it("sends tenants on Resend to Resend's API unless told another http(s) URL, and bounds the timeout", () => {
    expect(loadConfig(EmbeddedEnv, {})).toMatchObject({ RESEND_BASE_URL: 'https://api.resend.com', RESEND_TIMEOUT_MS: 10_000 });
    expect(loadConfig(EmbeddedEnv, { RESEND_BASE_URL: 'http://127.0.0.1:4010', RESEND_TIMEOUT_MS: '500' })).toMatchObject({
      RESEND_BASE_URL: 'http://127.0.0.1:4010',
      RESEND_TIMEOUT_MS: 500,
    });
    expect(() => loadConfig(EmbeddedEnv, { RESEND_BASE_URL: 'ftp://api.resend.com' })).toThrow(/RESEND_BASE_URL: must be an http/);
    expect(() => loadConfig(EmbeddedEnv, { RESEND_BASE_URL: 'api.resend.com' })).toThrow(/RESEND_BASE_URL/);
    expect(() => loadConfig(EmbeddedEnv, { RESEND_TIMEOUT_MS: '0' })).toThrow(/RESEND_TIMEOUT_MS/);
  });

  it('puts /metrics behind the operator token unless told otherwise, and checks the metrics settings', () => {
    expect(loadConfig(EmbeddedEnv, {}).METRICS_ACCESS).toBe('operator');
    expect(loadConfig(EmbeddedEnv, { METRICS_ACCESS: 'public', METRICS_PORT: '9464' })).toMatchObject({
      METRICS_ACCESS: 'public',
      METRICS_PORT: 9464,
    });
    expect(() => loadConfig(EmbeddedEnv, { METRICS_ACCESS: 'anyone' })).toThrow(/METRICS_ACCESS/);
    expect(() => loadConfig(EmbeddedEnv, { METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
  });

  it('reads the signup budgets per client network, with their defaults', () => {
    expect(loadConfig(EmbeddedEnv, {})).toMatchObject({ SIGNUP_PER_ADDRESS_BURST: 5, SIGNUP_VERIFY_PER_ADDRESS_PER_HOUR: 30 });
    expect(loadConfig(EmbeddedEnv, { SIGNUP_PER_ADDRESS_PER_HOUR: '2' }).SIGNUP_PER_ADDRESS_PER_HOUR).toBe(2);
    expect(() => loadConfig(EmbeddedEnv, { SIGNUP_VERIFY_PER_ADDRESS_BURST: '-1' })).toThrow(/SIGNUP_VERIFY_PER_ADDRESS_BURST/);
  });
});
