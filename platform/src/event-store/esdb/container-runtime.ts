import { getContainerRuntimeClient } from 'testcontainers';

/**
 * Whether a container engine answers, decided within `timeoutMs`. testcontainers' own lookup
 * is raced against a timer because a DOCKER_HOST that accepts connections and never replies
 * would otherwise hold the test file for as long as the engine's TCP timeouts.
 */
export async function containerRuntimeAvailable(timeoutMs = 2000): Promise<{ ok: true } | { ok: false; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: false; reason: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no container engine answered within ${timeoutMs} ms` }), timeoutMs);
    timer.unref();
  });
  const probe = getContainerRuntimeClient().then(
    () => ({ ok: true }) as const,
    (error: unknown) => ({ ok: false, reason: error instanceof Error ? error.message.split('\n')[0] ?? 'unknown error' : String(error) }) as const,
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
