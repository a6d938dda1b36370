import { probeDockerEngine } from './docker-engine';

/** Where a contract suite gets its server: the environment first, then a container, else nowhere. */
export type TestServer = { from: 'env'; address: string } | { from: 'container' } | { from: 'none'; reason: string };

/**
 * `variable` (KAFKA_BROKERS, MONGODB_URL) names a running server, as
 * scripts/test-servers.sh prints them; without it a Docker engine must answer.
 * CI sets OTP_REQUIRE_TEST_SERVERS, so a suite that would skip there fails instead.
 */
export async function findTestServer(variable: string): Promise<TestServer> {
  const address = process.env[variable];
  if (address) return { from: 'env', address };
  const docker = await probeDockerEngine();
  if (docker.available) return { from: 'container' };
  const reason = `${variable} is not set and no Docker engine answers (${docker.reason})`;
  if (process.env['OTP_REQUIRE_TEST_SERVERS']) throw new Error(`OTP_REQUIRE_TEST_SERVERS is set: ${reason}`);
  return { from: 'none', reason };
}
