// The recent events of each app (`orch describe`), fed by the supervisor's onEvent. A bounded ring
// per app, in memory only: WARNING: lost when the daemon restarts (the README says so), and an
// app's ring goes with the app on delete. SPEC §12's full event log is a later, separate store.
import type { AppEvent } from '../supervisor/types.js';

/** Events kept per app: enough for a crash loop's story, small enough for 10,000 apps. */
export const EVENTS_PER_APP = 200;

export class EventLog {
  private readonly rings = new Map<string, AppEvent[]>();

  constructor(private readonly perApp = EVENTS_PER_APP) {}

  record(event: AppEvent): void {
    let ring = this.rings.get(event.app);
    if (ring === undefined) {
      ring = [];
      this.rings.set(event.app, ring);
    }
    ring.push(event);
    // Amortised: trim in batches rather than shifting on every push past the bound.
    if (ring.length > this.perApp * 2) ring.splice(0, ring.length - this.perApp);
  }

  /** The app's most recent events, oldest first. */
  of(app: string): readonly AppEvent[] {
    return (this.rings.get(app) ?? []).slice(-this.perApp);
  }

  forget(app: string): void {
    this.rings.delete(app);
  }
}
