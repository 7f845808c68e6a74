// The reload bench's unmodified node:http app: no signal handler, nothing of orch. GET / answers
// a short body. Run as it is by orch cluster mode and PM2 cluster mode.
import { createServer } from 'node:http';

const body = `ok ${process.pid}\n`;
createServer((_req, res) => res.end(body)).listen(Number(process.env.PORT));
