import { execFile } from 'node:child_process';
import { request } from 'node:http';

export type DockerProbe = { available: true } | { available: false; reason: string };

/**
 * Whether a Docker engine answers, decided in about `timeoutMs`. Testcontainers'
 * own discovery can stall for a long time when only the CLI is installed, so
 * container-backed suites ask this first and skip with the reason.
 *
 * Two ways in parallel: the socket in DOCKER_HOST (or the default one), and the
 * CLI, which also knows about docker contexts (Docker Desktop, colima, rootless).
 */
export async function probeDockerEngine(timeoutMs = 1_500): Promise<DockerProbe> {
  const attempts = [pingSocket(timeoutMs), askCli(timeoutMs)];
  try {
    await Promise.any(attempts);
    return { available: true };
  } catch (error) {
    const reasons = (error as AggregateError).errors.map((e: unknown) => (e instanceof Error ? e.message : String(e)));
    return { available: false, reason: reasons.join('; ') };
  }
}

function pingSocket(timeoutMs: number): Promise<void> {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  let target: { socketPath: string } | { host: string; port: number };
  if (host.startsWith('unix://')) target = { socketPath: host.slice('unix://'.length) };
  else if (host.startsWith('tcp://')) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    target = { host: url.hostname, port: Number(url.port || 2375) };
  } else return Promise.reject(new Error(`DOCKER_HOST ${host}: scheme not probed`));

  return new Promise((resolve, reject) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new Error(`docker engine answered /_ping with ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error(`docker engine did not answer within ${timeoutMs} ms`)));
    req.on('error', (error) => reject(new Error(`no docker engine at ${host} (${error.message})`)));
    req.end();
  });
}

function askCli(timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: timeoutMs }, (error, stdout) => {
      if (!error && stdout.trim().length > 0) resolve();
      else reject(new Error(`docker CLI found no engine (${error ? firstLine(error.message) : 'empty answer'})`));
    });
  });
}

const firstLine = (text: string) =>
  text
    .split('\n')
    .find((line) => line.trim().length > 0)
    ?.trim() ?? text;
