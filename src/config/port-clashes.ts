// Two apps on one port (SPEC §3, §5): a fork-mode app takes port..port+instances-1 (instance i
// gets port+i); cluster and socket apps share their one port. The app written later in the
// file is the one reported. Ports clash per protocol: a TCP and a UDP app may share a number
// (SPEC §14); UDP ports are written `53/udp`, TCP ones as before.
import { type Problem, problem } from './diagnostics.js';
import type { Protocol } from './desired.js';
import type { AppDraft } from './normalize.js';
import { portSuffix } from '../ports.js';

interface Claim {
  readonly draft: AppDraft;
  readonly first: number;
  readonly last: number;
  readonly protocol: Protocol;
}

const claimOf = (draft: AppDraft): Claim | undefined => {
  const { port, mode, instances } = draft.spec;
  if (port === undefined) return undefined;
  // Which ports a broken field would claim is unknown: claiming its stand-in could be a false clash.
  if (draft.broken('port') || draft.broken('mode') || draft.broken('protocol') || (mode === 'fork' && draft.broken('instances'))) return undefined;
  // A fork app scaled to 0 still reserves its first port: scaling up must not clash later.
  const last = mode === 'fork' ? port + Math.max(instances, 1) - 1 : port;
  return { draft, first: port, last, protocol: draft.spec.protocol ?? 'tcp' };
};

const describeClaim = (c: Claim): string =>
  c.first === c.last
    ? `port ${c.first}${portSuffix(c.protocol)}`
    : `ports ${c.first}-${c.last}${portSuffix(c.protocol)}: ${c.draft.spec.instances} instances in fork mode`;

/** Drafts in file order. */
export const checkPortClashes = (drafts: readonly AppDraft[]): Problem[] => {
  const claims: Claim[] = [];
  const out: Problem[] = [];
  for (const draft of drafts) {
    const claim = claimOf(draft);
    if (claim === undefined) continue;
    const taken = claims.find((c) => c.protocol === claim.protocol && c.first <= claim.last && claim.first <= c.last);
    if (taken !== undefined) {
      const mine =
        claim.first === claim.last
          ? `port ${claim.first}${portSuffix(claim.protocol)} is`
          : `ports ${claim.first}-${claim.last}${portSuffix(claim.protocol)} (${draft.spec.instances} instances in fork mode) are`;
      const message = `${mine} already used by app '${taken.draft.spec.name}' (${describeClaim(taken)})`;
      out.push(problem(draft.merged.origin('port'), 'value', message));
    }
    claims.push(claim);
  }
  return out;
};
