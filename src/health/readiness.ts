/**
 * Readiness, in one place: whether this process should get traffic now, and if not, why.
 * `/ready` and `/health/readiness` answer from it (src/api/routes/ops.ts).
 *
 * A process is not ready while its modules start (`store is opening`), while a module reports a
 * condition (the store is full or reopening, the disk is below its free-space watermark), or while
 * an external dependency (Redis, PostgreSQL) does not answer. The first reason found is given, in
 * that order. Conditions are functions each module registers, read on every probe, so a condition
 * clears by itself when the module recovers: nothing has to remember to reset it.
 */
export type Condition = () => string | undefined;

export class Readiness {
  private started = false;
  private readonly conditions: Array<{ name: string; check: Condition }> = [];
  private dependencies?: () => Promise<string | undefined>;

  /** Every module started: ready unless a condition or a dependency says otherwise. */
  markStarted(): void {
    this.started = true;
  }

  /** Stopping: not ready again (the load balancer stops sending new requests). */
  markStopping(): void {
    this.started = false;
  }

  isStarted(): boolean {
    return this.started;
  }

  /** Registers a module's condition; `check` answers the reason it is not ready, or undefined. */
  addCondition(name: string, check: Condition): void {
    this.conditions.push({ name, check });
  }

  /** The role's external dependency checks (cluster mode), cached by their owner. */
  setDependencies(check: () => Promise<string | undefined>): void {
    this.dependencies = check;
  }

  /** The first module condition that holds, as `<module>: <reason>`. */
  condition(): string | undefined {
    for (const c of this.conditions) {
      const reason = c.check();
      if (reason !== undefined) return `${c.name}: ${reason}`;
    }
    return undefined;
  }

  /** Why this process is not ready, or undefined when it is. */
  async reason(): Promise<string | undefined> {
    if (!this.started) return 'store is opening';
    return this.condition() ?? (this.dependencies ? this.dependencies() : undefined);
  }
}
