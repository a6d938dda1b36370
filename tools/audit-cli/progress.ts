/** How often a long run says how far it got. */
const EVERY_MS = 1000;

/**
 * Progress on stderr, so stdout keeps only the verdict: events so far, their rate, and the
 * last sequence number reached, at most once a second, and once more at the end.
 */
export function progress(what: string) {
  const started = Date.now();
  let lastPrint = started;
  let count = 0;
  let sequence = 0;
  const print = () => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    process.stderr.write(`${what}: ${count} events, ${Math.round(count / seconds)} events/s, at sequence ${sequence}\n`);
  };
  return {
    event(at: number): void {
      count += 1;
      sequence = at;
      const now = Date.now();
      if (now - lastPrint < EVERY_MS) return;
      lastPrint = now;
      print();
    },
    done: print,
  };
}
