/**
 * Shows transfer progress: on a TTY, one bar per blob redrawn at most 10 times a second; otherwise
 * one plain line per state change, the way skopeo prints "Copying blob … done".
 */
import type { Writable } from 'node:stream';
import type { TransferEvent } from '../../src-shared/transfer.ts';
import { formatBytes } from '../../src-shared/format.ts';
import { shortDigest } from '../../src-shared/oci/digest.ts';

interface Row {
  label: string;
  state: string;
  done: number;
  total: number;
}

const BAR = 24;

function bar(done: number, total: number): string {
  const filled = total > 0 ? Math.min(BAR, Math.round((done / total) * BAR)) : BAR;
  return `[${'='.repeat(filled)}${' '.repeat(BAR - filled)}]`;
}

export class ProgressView {
  private readonly rows = new Map<string, Row>();
  private readonly phases = new Map<string, string>();
  private readonly out: Writable & { isTTY?: boolean; columns?: number };
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(out: Writable & { isTTY?: boolean } = process.stderr) {
    this.out = out;
  }

  get tty(): boolean {
    return this.out.isTTY === true;
  }

  readonly onEvent = (e: TransferEvent): void => {
    if (e.type === 'resolving') this.line(`Resolving ${e.ref}`);
    else if (e.type === 'resolved')
      this.line(
        `Resolved ${e.digest} ${/^https?:\/\//.test(e.endpoint) ? 'via' : 'from'} ${e.mirror ? `mirror ${e.mirror} (${e.endpoint})` : e.endpoint}${e.platforms.length ? ` (${e.platforms.join(', ')}${e.sparse ? ', sparse index' : ''})` : ''}`,
      );
    else if (e.type === 'retry') this.line(`${e.attempt > 0 ? 'Retrying' : 'Note'} ${shortDigest(e.digest)}: ${e.reason}`);
    else if (e.type === 'blob') this.blob(e);
    else if (e.type === 'done') {
      this.flush();
      this.line(
        `Stored ${e.ref} (${e.digest}): fetched ${e.fetchedBlobs} blob(s), ${formatBytes(e.fetchedBytes)}; ${e.skippedBlobs} already present`,
      );
    } else if (e.type === 'manifest') {
      if (e.state === 'done') this.line(`Wrote manifest ${e.ref}`);
    } else if (e.type === 'pushed') {
      this.flush();
      this.line(
        `Pushed ${e.ref} (${e.digest}): uploaded ${e.uploadedBlobs} blob(s), ${formatBytes(e.uploadedBytes)}; ${e.existingBlobs} already there, ${e.mountedBlobs} mounted`,
      );
    } else if (e.type === 'engine') this.engine(e);
    else if (e.type === 'error') this.flush();
  };

  /** An engine's export or load: one line when it starts and one when it is over (the bytes are not known in advance). */
  private engine(e: Extract<TransferEvent, { type: 'engine' }>): void {
    if (this.phases.get(e.phase) === e.state) return;
    this.phases.set(e.phase, e.state);
    const what = e.phase === 'exporting' ? `Exporting ${e.ref} from ${e.engine}` : `Loading ${e.ref} into ${e.engine}`;
    this.line(e.state === 'running' ? `${what}` : `${what}: done, ${formatBytes(e.done)}`);
  }

  private blob(e: Extract<TransferEvent, { type: 'blob' }>): void {
    const prev = this.rows.get(e.digest);
    const row: Row = { label: `${e.kind} ${shortDigest(e.digest)}`, state: e.state, done: e.done, total: e.total };
    this.rows.set(e.digest, row);
    if (!this.tty) {
      if (prev?.state !== e.state && e.state !== 'waiting') this.line(`Copying ${row.label} ${formatBytes(e.total)}: ${e.state}`);
      return;
    }
    this.timer ??= setTimeout(() => this.redraw(), 100);
  }

  private render(row: Row): string {
    return `${row.label}  ${bar(row.done, row.total)}  ${formatBytes(row.done)} / ${formatBytes(row.total)}  ${row.state}`;
  }

  private redraw(): void {
    this.timer = undefined;
    const lines = [...this.rows.values()].map((r) => this.render(r));
    let s = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const l of lines) s += `\x1b[2K${l}\n`;
    this.drawn = lines.length;
    this.out.write(s);
  }

  private line(text: string): void {
    if (this.tty && this.drawn > 0) {
      // Keep finished bars on screen above the new line.
      this.drawn = 0;
    }
    this.out.write(`${text}\n`);
  }

  /** Draws the final state of every bar once. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.tty && this.rows.size > 0) this.redraw();
    this.rows.clear();
  }
}
