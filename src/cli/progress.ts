/**
 * What `--wait` prints while it follows an action: a line each time a resource's status or reason changes
 * (the log, kept in the scrollback), and, on a terminal, a block under it redrawn at each poll with every
 * resource still in progress: what a wait condition waits for and the time left, an image pull's bytes and bar.
 * Not on a terminal (a pipe, a CI log) the block is left out and a pull prints a line at each quarter instead.
 */
import type { ImagePull } from '../client/client';
import type { StackState } from '../template/types';

export interface Screen {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

const BAR_WIDTH = 24;

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** `[#########...............]  5.2 MB / 13.4 MB, layer 2 of 5`, or, before any size is known, the layers alone. */
export function pullBar(pull: ImagePull): string {
  const layers = `layer ${Math.min(pull.layersDone + 1, pull.layers)} of ${pull.layers}`;
  if (pull.size <= 0) return `pulling ${pull.image}  ${pull.layers ? layers : 'starting'}`;
  const filled = Math.min(BAR_WIDTH, Math.floor((pull.downloaded / pull.size) * BAR_WIDTH));
  return `pulling ${pull.image}  [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]  ${megabytes(pull.downloaded)} / ${megabytes(pull.size)}, ${layers}`;
}

/** A resource's reason as worth printing: not the generic one every status change carries. */
const reasonOf = (r: { statusReason: string }): string => (r.statusReason && r.statusReason !== 'state changed' ? r.statusReason : '');

function quarter(pull: ImagePull): number {
  return pull.size > 0 ? Math.min(4, Math.floor((pull.downloaded / pull.size) * 4)) : -1;
}

export class WaitView {
  private readonly started = Date.now();
  private readonly seen = new Map<string, string>();
  private readonly quarters = new Map<string, number>();
  private drawn = 0;

  constructor(private readonly screen: Screen) {}

  show(state: StackState, pulls: readonly ImagePull[]): void {
    const log: string[] = [];
    for (const [resource, r] of Object.entries(state.resources)) {
      const key = `${r.status}:${r.statusReason}`;
      if (this.seen.get(resource) === key || r.status === 'INIT_COMPLETE') continue;
      this.seen.set(resource, key);
      log.push(`${this.elapsed()}  ${resource}  ${r.status}${reasonOf(r) ? `  ${reasonOf(r)}` : ''}`);
    }
    if (!this.screen.isTTY) {
      for (const pull of pulls) {
        const at = `${pull.resource} ${pull.image}`;
        if (this.quarters.get(at) === quarter(pull)) continue;
        this.quarters.set(at, quarter(pull));
        log.push(`${this.elapsed()}  ${pull.resource}  ${pullBar(pull)}`);
      }
      if (log.length) this.screen.write(`${log.join('\n')}\n`);
      return;
    }
    const block = this.inProgress(state, pulls);
    this.screen.write(`${this.erase()}${log.map((line) => `${line}\n`).join('')}${block.map((line) => `${line}\n`).join('')}`);
    this.drawn = block.length;
  }

  /** Takes the block away, leaving the log: the caller prints the stack's final line under it. */
  done(): void {
    if (this.screen.isTTY && this.drawn) this.screen.write(this.erase());
    this.drawn = 0;
  }

  private inProgress(state: StackState, pulls: readonly ImagePull[]): string[] {
    const width = Math.max(40, (this.screen.columns ?? 100) - 1);
    const lines: string[] = [];
    for (const [resource, r] of Object.entries(state.resources)) {
      if (!r.status.endsWith('_IN_PROGRESS')) continue;
      const pull = pulls.find((p) => p.resource === resource);
      const what = pull ? pullBar(pull) : reasonOf(r);
      lines.push(`  ${resource}  ${r.status}${what ? `  ${what}` : ''}`.slice(0, width));
    }
    return lines;
  }

  /** Moves the cursor up over the block drawn last and clears from there down. */
  private erase(): string {
    return this.drawn ? `\x1b[${this.drawn}A\x1b[J` : '';
  }

  private elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1).padStart(6)}s`;
  }
}
