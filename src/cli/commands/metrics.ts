// `orch metrics`: the Prometheus text exposition, over the control socket (no HTTP needed).
import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';

export const metrics = async (): Promise<void> => {
  const client = await DaemonClient.connect(homePaths());
  try {
    const { text } = await client.request('metrics', {});
    process.stdout.write(text);
  } finally {
    client.close();
  }
};
