// Fork mode: each instance is its own child process (src/supervisor/modes/spawn.ts), on port+index.
import type { AppSpec } from '../../config/desired.js';
import { canOverlap as modeCanOverlap, protocolOf } from '../../config/modes.js';
import { portLooksFree } from '../../process/port-free.js';
import { portInUse } from '../../process/port-holders.js';
import type { LaunchResult, Launcher } from './launcher.js';
import { type SpawnContext, spawnInstance } from './spawn.js';

export const forkInstancePort = (spec: AppSpec, index: number): number | undefined =>
  spec.port === undefined ? undefined : spec.port + index;

export class ForkLauncher implements Launcher {
  constructor(private readonly context: SpawnContext) {}

  instancePort(spec: AppSpec, index: number): number | undefined {
    return forkInstancePort(spec, index);
  }

  canOverlap(spec: AppSpec): boolean {
    return modeCanOverlap(spec);
  }

  launch(spec: AppSpec, index: number): Promise<LaunchResult> {
    const port = this.instancePort(spec, index);
    const relaunch = (): Promise<LaunchResult> => this.launch(spec, index);
    return spawnInstance(this.context, spec, index, port, port === undefined ? { relaunch } : { refusal: portRefusal(spec, port), relaunch });
  }

  release(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The runtime half of the port pre-flight (SPEC §9): a respawn, a resurrect or a race since the
 * plan finds the port taken; fail now, naming the holder, not after ready.timeout. A TCP bind test
 * first: naming the holder reads /proc/net (slow), so only a busy port pays it. A conflict that
 * vanished meanwhile (no holder found) lets the spawn go on.
 */
const portRefusal = async (spec: AppSpec, port: number): Promise<string | undefined> => {
  const protocol = protocolOf(spec);
  if (protocol === 'tcp' && (await portLooksFree(port))) return undefined;
  // A UDP app's holder is a datagram socket on the number, never a TCP listener (SPEC §14).
  return portInUse(port, undefined, protocol);
};
