// How a port and its holder are named, the same in every room: the pre-flight's refusals, the
// launchers' runtime check, validation's clashes, the plan and the Compose export. Pure; shared.

/** `/udp` after a datagram port; TCP, the default everywhere, is not written. */
export const portSuffix = (protocol: 'tcp' | 'udp' | undefined): string => (protocol === 'udp' ? '/udp' : '');

/** `3000`, `5353/udp`. */
export const portLabel = (port: number, protocol: 'tcp' | 'udp' | undefined): string => `${port}${portSuffix(protocol)}`;

/** Who holds a listening (udp: bound) socket on a port, as src/process/port-holders.ts reads it. */
export interface PortHolder {
  readonly port: number;
  /** Processes holding the socket; empty when none is visible (another user's). */
  readonly pids: readonly number[];
  /** Their process groups, in the same order. */
  readonly pgids: readonly number[];
  /** The first holder's name, when visible. */
  readonly command: string | undefined;
  /** `udp` for a datagram socket's holders; absent for TCP. */
  readonly protocol?: 'udp';
}

/** `port 3000 is in use by pid 1234 (python3)`, the one wording of a foreign holder. */
export const describeHolder = (holder: PortHolder): string => {
  const port = portLabel(holder.port, holder.protocol);
  return holder.pids.length === 0
    ? `port ${port} is in use by another process (not visible to this user)`
    : `port ${port} is in use by pid ${holder.pids[0]}${holder.command === undefined ? '' : ` (${holder.command})`}`;
};
