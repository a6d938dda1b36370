/** The Kafka and MongoDB-wire servers scripts/test-servers.sh starts, as its env file names them. */
export type DistributedServers = { available: true; kafkaBrokers: string; mongoUrl: string } | { available: false; reason: string };

/**
 * The distributed e2e tests need both servers and start no containers of their own: without
 * them they skip with the reason, unless CI's OTP_REQUIRE_TEST_SERVERS makes that a failure.
 */
export function findDistributedServers(): DistributedServers {
  const kafkaBrokers = process.env['KAFKA_BROKERS'];
  const mongoUrl = process.env['MONGODB_URL'];
  if (kafkaBrokers && mongoUrl) return { available: true, kafkaBrokers, mongoUrl };
  const missing = [kafkaBrokers ? undefined : 'KAFKA_BROKERS', mongoUrl ? undefined : 'MONGODB_URL'].filter(Boolean).join(' and ');
  const reason = `${missing} not set (scripts/test-servers.sh start, then source .test-servers/env)`;
  if (process.env['OTP_REQUIRE_TEST_SERVERS']) throw new Error(`OTP_REQUIRE_TEST_SERVERS is set: ${reason}`);
  return { available: false, reason };
}
