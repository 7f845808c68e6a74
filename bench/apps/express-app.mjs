// The reload bench's unmodified Express app, as Express's docs write it. GET / answers a short
// body. Run as it is by orch cluster mode and PM2 cluster mode.
import express from 'express';

const body = `ok ${process.pid}\n`;
const app = express();
app.get('/', (_req, res) => res.send(body));
app.listen(process.env.PORT);
