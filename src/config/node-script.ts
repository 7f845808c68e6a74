// Which file `node [options] <script> [args]` runs: validation checks that it exists (SPEC §9)
// and cluster mode forks it. Pure: argv in, the script's word out.

/** Node and V8 options whose value is the next argument when not written `--opt=value`. */
const TAKES_VALUE = new Set([
  '-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--title',
  '--env-file', '--env-file-if-exists', '--inspect-port', '--input-type', '--watch-path', '--disable-warning',
  '--experimental-policy', '--policy-integrity', '--redirect-warnings', '--report-dir', '--report-directory',
  '--report-filename', '--report-signal', '--diagnostic-dir', '--heapsnapshot-signal', '--icu-data-dir',
  '--openssl-config', '--tls-cipher-list', '--tls-keylog', '--unhandled-rejections', '--max-http-header-size',
  '--secure-heap', '--secure-heap-min', '--cpu-prof-dir', '--cpu-prof-name', '--heap-prof-dir', '--heap-prof-name',
  '--dns-result-order', '--trace-event-categories', '--trace-event-file-pattern', '--stack-trace-limit',
  '--max-old-space-size', '--max-semi-space-size', '--stack-size',
]);

/** Options after which node runs no script file: code, a REPL, stdin, tests, or only prints. */
const NO_SCRIPT = new Set([
  '-e', '--eval', '-p', '--print', '-i', '--interactive', '--test', '--run', '-v', '--version', '-h', '--help',
  '--v8-options', '--completion-bash',
]);

export type NodeScript = { readonly kind: 'script'; readonly script: string } | { readonly kind: 'none' };

/** The script word of node's arguments (what follows `node`), or none when node runs no file. */
export const nodeScript = (args: readonly string[]): NodeScript => {
  for (let k = 0; k < args.length; k++) {
    const word = args[k] ?? '';
    if (word === '--') return args[k + 1] === undefined ? { kind: 'none' } : { kind: 'script', script: args[k + 1] ?? '' };
    if (word === '-') return { kind: 'none' };
    if (!word.startsWith('-')) return { kind: 'script', script: word };
    if (NO_SCRIPT.has(word.split('=')[0] ?? word)) return { kind: 'none' };
    if (TAKES_VALUE.has(word)) k++;
  }
  return { kind: 'none' };
};
