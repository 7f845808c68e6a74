// A tiny HTTP app: answers with its version, so a deploy is visible with curl.
import { createServer } from 'node:http';

const VERSION = 'v1';
const server = createServer((_req, res) => res.end(`${VERSION} from ${process.env.ORCH_APP}#${process.env.ORCH_INSTANCE}\n`));
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
