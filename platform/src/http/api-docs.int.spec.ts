import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index';
import { createHttpApp } from './create-http-app';
import { createMetrics } from './metrics';
import { serve, type Serving } from './serve';

const logger = createLogger({ level: 'silent' });
let serving: Serving;
let base: string;
beforeAll(async () => {
  const app = createHttpApp({ logger, metrics: createMetrics(), routers: [], readiness: {}, openapi: () => ({ openapi: '3.1.0' }) });
  serving = await serve(app, { port: 0, host: '127.0.0.1', logger, signals: [], close: async () => undefined });
  base = `http://127.0.0.1:${serving.port}`;
});
afterAll(() => serving.shutdown('test'));

describe('/docs', () => {
  it('answers a page over /openapi.json whose scripts and styles come from this origin only', async () => {
    const res = await fetch(`${base}/docs`);
    const page = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/init.js']);
    const init = await (await fetch(`${base}/docs/init.js`)).text();
    expect(init).toContain("url: '/openapi.json'");
  });

  it('serves the Swagger UI files it references', async () => {
    const script = await fetch(`${base}/docs/swagger-ui-bundle.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('SwaggerUIBundle');
    const styles = await fetch(`${base}/docs/swagger-ui.css`);
    expect(styles.status).toBe(200);
    expect(styles.headers.get('content-type')).toMatch(/^text\/css/);
  });
});
