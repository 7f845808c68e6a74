// Node flags for the daemon process. It is I/O-bound (pipes, sockets, files): TurboFan's
// optimized code and a young generation that grows to 16 MB buy it little but resident memory,
// and its idle RSS is a benchmark target (no more than PM2's). Measured: 57 MB → 53 MB with 10
// apps, with log-capture throughput still above PM2's (bench/logs.bench.mjs).
export const DAEMON_EXEC_ARGV: readonly string[] = ['--no-opt', '--max-semi-space-size=1'];
