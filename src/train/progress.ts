// Progress reporting for long runs: a redrawn one-line bar on a TTY, plain occasional lines otherwise
// (CI logs, pipes), both on stderr so stdout stays clean.

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** 1234567 → "1.23M": compact counts for the progress line. */
export function formatCount(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)}G`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return String(v);
}

export interface ProgressState {
  density: number;
  levelsDone: number;
  levelsTotal: number;
  modelsDone: number;
  modelsTotal: number;
  modelStepsDone: number;
  modelStepsTotal: number;
}

export function progressLine(p: ProgressState, elapsedSeconds: number, width = 24): string {
  const frac = p.modelStepsTotal > 0 ? p.modelStepsDone / p.modelStepsTotal : 0;
  const filled = Math.round(frac * width);
  const bar = "█".repeat(filled) + "░".repeat(width - filled);
  const eta = frac > 0 ? (elapsedSeconds * (1 - frac)) / frac : NaN;
  return (
    `${bar} ${(frac * 100).toFixed(1).padStart(5)}%  level ${p.levelsDone}/${p.levelsTotal} (density ${p.density})  ` +
    `models ${p.modelsDone}/${p.modelsTotal}  model-steps ${formatCount(p.modelStepsDone)}/${formatCount(p.modelStepsTotal)}  ` +
    `ETA ${formatDuration(eta)}`
  );
}

export class ProgressReporter {
  private readonly tty: boolean;
  private readonly out: NodeJS.WriteStream;
  private readonly start = performance.now();
  private lastDraw = 0;
  private lastPlainPercent = -1;
  private plainComplete = false;
  private drawn = false;

  constructor(out: NodeJS.WriteStream = process.stderr) {
    this.out = out;
    this.tty = Boolean(out.isTTY);
  }

  update(p: ProgressState): void {
    const now = performance.now();
    const elapsed = (now - this.start) / 1000;
    if (this.tty) {
      if (now - this.lastDraw < 100 && p.modelStepsDone < p.modelStepsTotal) return;
      this.lastDraw = now;
      this.out.write(`\r\x1b[2K${progressLine(p, elapsed, 24).slice(0, (this.out.columns || 160) - 1)}`);
      this.drawn = true;
    } else {
      // Every 10% of the model-steps, and once more when the last model is finished (evaluated).
      const pct = Math.floor((p.modelStepsDone / p.modelStepsTotal) * 10) * 10;
      const complete = p.modelsTotal > 0 && p.modelsDone >= p.modelsTotal;
      if (pct > this.lastPlainPercent || (complete && !this.plainComplete)) {
        this.lastPlainPercent = pct;
        this.plainComplete = complete;
        this.out.write(progressLine(p, elapsed, 0).trimStart() + "\n");
      }
    }
  }

  /** Prints a log line without garbling the bar. */
  log(line: string): void {
    if (this.tty && this.drawn) this.out.write("\r\x1b[2K");
    this.out.write(line + "\n");
    this.drawn = false;
  }

  finish(): void {
    if (this.tty && this.drawn) this.out.write("\n");
    this.drawn = false;
  }
}
