// Node flags for the daemon process. It is I/O-bound (pipes, sockets, files): TurboFan's
// optimized code and a young generation that grows to 16 MB buy it little but resident memory,
// and its idle RSS is a benchmark target (no more than PM2's). Measured with 10 apps: 57 MB →
// 53 MB; log capture (its one hot path) ran at 644k, 647k and 634k lines/s with no flags, with
// --no-opt, and with both: no difference beyond noise (bench/logs.bench.mjs).
export const DAEMON_EXEC_ARGV: readonly string[] = ['--no-opt', '--max-semi-space-size=1'];
