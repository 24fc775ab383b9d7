import type { CliIo } from './io.js';

export interface StepProgress {
  /** Reports `done` of `total` for a named step; throttled on a terminal. */
  update(step: string, done: number, total: number, extra?: Record<string, number>): void;
  /** Ends the current bar line. */
  end(): void;
}

/**
 * Progress of a long step on stderr: a bar redrawn in place on a terminal, otherwise one JSON line
 * per tenth of the work (and at the end), as `train`'s reporter does.
 */
export function createStepProgress(io: CliIo, event: string): StepProgress {
  const tty = io.stderr.isTTY === true;
  let lastDraw = 0;
  let lastDecile = -1;
  let open = false;
  return {
    update(step, done, total, extra = {}) {
      if (!tty) {
        const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
        if (decile === lastDecile && done !== total) return;
        lastDecile = done === total ? -1 : decile;
        io.stderr.write(`${JSON.stringify({ event, step, done, total, ...extra })}\n`);
        return;
      }
      const now = Date.now();
      if (done !== total && now - lastDraw < 100) return;
      lastDraw = now;
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const stats = Object.entries(extra)
        .map(([k, v]) => `${k} ${v}`)
        .join(' ');
      io.stderr.write(
        `\r\x1b[2K${step} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${stats}`,
      );
      open = true;
      if (done === total) {
        io.stderr.write('\n');
        open = false;
      }
    },
    end() {
      if (open) io.stderr.write('\n');
      open = false;
    },
  };
}
