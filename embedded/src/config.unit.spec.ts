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

  it('puts /metrics behind the operator token unless told otherwise, and checks the metrics settings', () => {
    expect(loadConfig(EmbeddedEnv, {}).METRICS_ACCESS).toBe('operator');
    expect(loadConfig(EmbeddedEnv, { METRICS_ACCESS: 'public', METRICS_PORT: '9464' })).toMatchObject({
      METRICS_ACCESS: 'public',
      METRICS_PORT: 9464,
    });
    expect(() => loadConfig(EmbeddedEnv, { METRICS_ACCESS: 'anyone' })).toThrow(/METRICS_ACCESS/);
    expect(() => loadConfig(EmbeddedEnv, { METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
  });
});
