// The baseline: express 5 answering a small JSON POST with a small JSON body,
// nothing else. Run as its own process, like the service it is compared with.
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '16kb' }));
app.post('/v1/otp/request', (req, res) => {
  res.status(202).json({ challengeId: 'chl_0000000000000000', expiresAt: new Date().toISOString(), echo: req.body.email });
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
