import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@otp/platform/config';
import { RebuildEnv } from './rebuild-env';

const TOKEN = 'op_test_token_that_is_long_enough_0123456789';

describe('npm run rebuild configuration', () => {
  it('asks the embedded server on HOST:PORT unless PROJECTION_SERVICE_URL is set', () => {
    const config = loadConfig(RebuildEnv, { projection: 'usage' });
    expect(config.PROJECTION_SERVICE_URL).toBeUndefined();
    expect(config).toMatchObject({ projection: 'usage', PORT: 3000 });
  });

  it('takes the projection-service URL with the operator token from the environment', () => {
    const config = loadConfig(RebuildEnv, { projection: 'audit', PROJECTION_SERVICE_URL: 'http://10.0.0.7:3003', OPERATOR_TOKEN: TOKEN });
    expect(config).toMatchObject({ projection: 'audit', PROJECTION_SERVICE_URL: 'http://10.0.0.7:3003', OPERATOR_TOKEN: TOKEN });
  });

  it('refuses a projection-service URL without a token, or one that is not http(s), saying which', () => {
    expect(() => loadConfig(RebuildEnv, { projection: 'usage', PROJECTION_SERVICE_URL: 'http://10.0.0.7:3003' })).toThrow(
      /OPERATOR_TOKEN: is required with PROJECTION_SERVICE_URL/,
    );
    expect(() => loadConfig(RebuildEnv, { projection: 'usage', PROJECTION_SERVICE_URL: 'ftp://10.0.0.7', OPERATOR_TOKEN: TOKEN })).toThrow(
      /PROJECTION_SERVICE_URL: must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => loadConfig(RebuildEnv, { projection: 'usage', PROJECTION_SERVICE_URL: '10.0.0.7:3003', OPERATOR_TOKEN: TOKEN })).toThrow(
      ConfigError,
    );
  });

  it('names the projections when given another', () => {
    expect(() => loadConfig(RebuildEnv, { projection: 'nonsense' })).toThrow(/customers, usage, audit/);
  });
});
