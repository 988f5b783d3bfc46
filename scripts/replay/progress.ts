/**
 * A progress bar on stderr: redrawn in place on a terminal, a line every 10% otherwise (logs, CI).
 */

/** Shows progress of one phase. */
export class ProgressBar {
  private lastShown = -1;
  private readonly label: string;
  private readonly enabled: boolean;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(label: string, enabled = true) {
    this.label = label;
    this.enabled = enabled;
  }

  /** Updates the bar; `share` in 0..1, `detail` a short text after it. */
  update(share: number, detail = ""): void {
    if (!this.enabled) return;
    const pct = Math.max(0, Math.min(100, Math.floor(share * 100)));
    if (this.tty) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      process.stderr.write(`\r${this.label.padEnd(10)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(pct).padStart(3)}% ${detail}\x1b[K`);
    } else if (Math.floor(pct / 10) !== Math.floor(this.lastShown / 10)) {
      process.stderr.write(`${this.label} ${pct}% ${detail}\n`);
    }
    this.lastShown = pct;
  }

  /** Ends the bar's line. */
  done(detail = ""): void {
    this.update(1, detail);
    if (this.enabled && this.tty) process.stderr.write("\n");
  }
}
