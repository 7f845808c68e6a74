// Errors with stable codes. The CLI maps each code to a message and an exit code (SPEC §4);
// anything that is not an OrchError is an internal error and is shown with its stack.

export type ErrorCode =
  | 'ORCH_CONFIG_INVALID' // the ecosystem file failed validation (exit 2)
  | 'ORCH_USAGE' // bad command line (exit 2)
  | 'ORCH_UNKNOWN_APP' // a command named an app the daemon does not know (exit 2)
  | 'ORCH_UNKNOWN_PROJECT' // --project named a project with no generation that the daemon does not know (exit 2)
  | 'ORCH_UNKNOWN_GENERATION' // no such generation, or it belongs to another project than --project (exit 2)
  | 'ORCH_PLAN_REFUSED' // diff: apply would refuse part of the plan for a reason known before acting (exit 2)
  | 'ORCH_DAEMON_UNAVAILABLE' // cannot start or reach the daemon (exit 2)
  | 'ORCH_PROTOCOL_MISMATCH' // CLI and daemon speak different protocol versions (exit 2)
  | 'ORCH_BAD_REQUEST' // a control-socket request that is not JSON, not a request, or has malformed params (exit 2)
  | 'ORCH_UNKNOWN_METHOD' // a control-socket request named no method of the protocol table (exit 2)
  | 'ORCH_REQUEST_TOO_LARGE' // a control-socket request line over MAX_REQUEST_BYTES; the daemon closes the connection (exit 2)
  | 'ORCH_HOME_UNUSABLE' // ORCH_HOME cannot be created or written (exit 2)
  | 'ORCH_IMPORT_FAILED' // orch import: the PM2 file cannot be read, evaluated or understood (exit 2)
  | 'ORCH_FILE_EXISTS'; // orch import --out / orch init would overwrite a file without --force (exit 2)

export class OrchError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OrchError';
    this.code = code;
  }
}


export const isOrchError = (e: unknown): e is OrchError => e instanceof OrchError;
