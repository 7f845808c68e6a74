// Where `GET /metrics` may be served (SPEC §12): parsed and checked here, purely, so the CLI
// (`orch daemon start --metrics ADDR`) refuses the same addresses as the daemon.
import { isIP } from 'node:net';
import { hostPort, isLoopback } from './http-addr.js';

export interface MetricsAddr {
  readonly host: string;
  readonly port: number;
}

/** `127.0.0.1:9464`, `[::1]:9464`, `localhost:9464`, or `:9464` (127.0.0.1); the problem in words otherwise. Pure. */
export const parseMetricsAddr = (value: string): MetricsAddr | { readonly problem: string } => {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = Number(m?.[3]);
  if (m === null || !Number.isInteger(port) || port < 1 || port > 65535) {
    return { problem: `'${value}' is not HOST:PORT (e.g. 127.0.0.1:9464, [::1]:9464)` };
  }
  const host = m[1] ?? (m[2] === '' ? '127.0.0.1' : (m[2] as string));
  if (m[1] !== undefined && isIP(host) !== 6) return { problem: `'${host}' in '${value}' is not an IPv6 address` };
  return { host, port };
};

export { isLoopback };

/** The address to serve on, or why not (a non-loopback address without `allowPublic`). Pure. */
export const checkMetricsAddr = (value: string, allowPublic: boolean): { ok: true; addr: MetricsAddr } | { ok: false; problem: string } => {
  const parsed = parseMetricsAddr(value);
  if ('problem' in parsed) return { ok: false, problem: `metrics address ${parsed.problem}` };
  if (!allowPublic && !isLoopback(parsed.host)) {
    return {
      ok: false,
      problem: `metrics address ${value} is not a loopback address: the metrics name every app and process; serve them beyond this machine only with --metrics-public (ORCH_METRICS_PUBLIC=1)`,
    };
  }
  return { ok: true, addr: parsed };
};

export const metricsUrl = (addr: MetricsAddr): string => `http://${hostPort(addr.host, addr.port)}/metrics`;
