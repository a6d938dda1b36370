import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Router } from 'express';

// Swagger UI's prebuilt files, served from the installed package: the page works offline and
// behind a firewall, where a CDN would leave it blank. swagger-ui-dist, not Redoc or Scalar:
// two packages to install against their 98 and 270, and the same page can send a request.
const SWAGGER_UI = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

// Everything from this origin; styles inline because Swagger UI sets style attributes; images
// as data: URIs (its icons). No other origin may frame the page or receive a form.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>OTP Auth API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// A file, not an inline script, so the policy needs no 'unsafe-inline' for scripts. No
// validator: its badge would send the document to a public service.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });\n`;

/** `/docs`: the OpenAPI document at `/openapi.json`, readable by a person. */
export function apiDocsRoutes(): Router {
  const router = Router();
  router.get('/docs', (_req, res) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.type('html').send(PAGE);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('js').send(INIT);
  });
  for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
    router.get(`/docs/${file}`, (_req, res, next) => {
      res.sendFile(join(SWAGGER_UI, file), (error) => error && next(error));
    });
  }
  return router;
}
