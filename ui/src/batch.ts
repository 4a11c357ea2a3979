// Coalesces streamed text so the DOM is touched at most once per animation frame, however
// fast tokens arrive. Order is kept: pieces are appended in arrival order and flushed whole.

export type Schedule = (cb: () => void) => void;

export class FrameBatcher {
  private pending: string[] = [];
  private scheduled = false;

  constructor(
    private readonly flush: (text: string) => void,
    private readonly schedule: Schedule = (cb) => requestAnimationFrame(() => cb()),
  ) {}

  push(text: string): void {
    this.pending.push(text);
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.drain());
    }
  }

  /** Flushes now (end of a turn, before a retraction). */
  drain(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join("");
    this.pending = [];
    this.flush(text);
  }

  /** Forgets what was not shown yet (a guard block retracts it). */
  discard(): void {
    this.pending = [];
  }
}
