/**
 * Progress of a long job on stderr: a redrawn bar with rate and ETA on a terminal, a plain line
 * every few seconds otherwise (logs, CI, pipes). stdout stays free for the --json result.
 */
import { formatDuration, type ProgressSink } from '../core/progress';
export class StderrProgress implements ProgressSink {
  private label = '';
  private total = 0;
  private unit = 'it';
  private done = 0;
  private startedAt = 0;
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  start(label: string, total: number, unit = 'it'): void {
    this.label = label;
    this.total = total;
    this.unit = unit;
    this.done = 0;
    this.startedAt = performance.now();
    this.lastDraw = 0;
    this.draw('', true);
  }

  update(done: number, extra = ''): void {
    this.done = done;
    this.draw(extra, false);
  }

  finish(extra = ''): void {
    this.done = Math.max(this.done, this.total);
    this.draw(extra, true);
    if (this.tty && !this.quiet) this.stream.write('\n');
  }

  log(message: string): void {
    if (this.quiet) return;
    if (this.tty) this.stream.write('\r\x1b[K');
    this.stream.write(`${message}\n`);
  }

  /** The line shown to the user; exported for tests through `line()`. */
  line(extra = ''): string {
    const elapsed = (performance.now() - this.startedAt) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : Number.NaN;
    const pct = this.total > 0 ? (100 * this.done) / this.total : 0;
    const width = 24;
    const filled = Math.round((width * Math.min(pct, 100)) / 100);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const rateText = rate >= 100 ? rate.toFixed(0) : rate.toFixed(1);
    return `${this.label} ${bar} ${this.done}/${this.total} ${pct.toFixed(0)}% ${rateText} ${this.unit}/s ETA ${formatDuration(eta)}${extra ? ` ${extra}` : ''}`;
  }

  private draw(extra: string, force: boolean): void {
    if (this.quiet) return;
    const now = performance.now();
    const interval = this.tty ? 100 : 5000;
    if (!force && now - this.lastDraw < interval) return;
    this.lastDraw = now;
    if (this.tty) this.stream.write(`\r\x1b[K${this.line(extra)}`);
    else this.stream.write(`${this.line(extra)}\n`);
  }
}
