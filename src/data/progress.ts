/** A progress bar with rate and ETA on stderr; plain periodic lines when the stream is not a terminal (logs, CI). */

export interface ProgressOptions {
  /** Defaults to process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Seconds between lines when not a TTY. Default 10. */
  lineInterval?: number;
  /** Force TTY or plain mode (default: the stream's isTTY). */
  tty?: boolean;
}

/** Formats seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

/**
 * Counts finished work and shows it.
 * @example const bar = new Progress('prepare', 1000); bar.tick(); ...; bar.done();
 */
export class Progress {
  private count = 0;
  private readonly started = Date.now();
  private lastDraw = 0;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly lineInterval: number;

  constructor(private readonly label: string, private readonly total: number, options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? !!this.stream.isTTY;
    this.lineInterval = (options.lineInterval ?? 10) * 1000;
    this.lastDraw = this.tty ? 0 : Date.now();
  }

  /** Adds `n` finished units and redraws when due. */
  tick(n = 1): void {
    this.count += n;
    const now = Date.now();
    if (this.tty ? now - this.lastDraw >= 100 : now - this.lastDraw >= this.lineInterval) {
      this.lastDraw = now;
      this.draw(false);
    }
  }

  /** Final line. */
  done(): void {
    this.draw(true);
  }

  private draw(final: boolean): void {
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.count / elapsed : 0;
    const eta = rate > 0 ? (this.total - this.count) / rate : NaN;
    const pct = this.total ? Math.floor((100 * this.count) / this.total) : 100;
    const stats = `${this.count}/${this.total} ${pct}% ${rate.toFixed(1)}/s ${final ? `in ${formatDuration(elapsed)}` : `ETA ${formatDuration(eta)}`}`;
    if (this.tty) {
      const width = 30, filled = this.total ? Math.round((width * this.count) / this.total) : width;
      const bar = '='.repeat(filled) + (filled < width ? '>' + ' '.repeat(width - filled - 1) : '');
      this.stream.write(`\r${this.label} [${bar}] ${stats}\x1b[K${final ? '\n' : ''}`);
    } else {
      this.stream.write(`${this.label}: ${stats}\n`);
    }
  }
}
