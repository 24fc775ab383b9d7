import { HttpError } from './http-error.js';

/** Runs at most `concurrency` tasks at once, with at most `queue` more waiting; the rest are refused. */
export interface Admission {
  /** Runs `task` when a slot frees; throws 503 when the queue is full, 504 past `deadline` (ms since epoch). */
  run<T>(task: () => Promise<T>, deadline: number): Promise<T>;
  readonly active: number;
  readonly queued: number;
  /** Resolves once nothing runs or waits. */
  idle(): Promise<void>;
}

interface Waiter {
  readonly start: () => void;
}

/** Longest delay `setTimeout` honours; a longer one fires after 1 ms instead. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export function createAdmission(options: {
  concurrency: number;
  queue: number;
  retryAfterSeconds?: number;
}): Admission {
  let active = 0;
  const waiting: Waiter[] = [];
  let idleWaiters: (() => void)[] = [];

  const release = () => {
    active--;
    const next = waiting.shift();
    if (next) {
      active++;
      next.start();
    } else if (active === 0) {
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    }
  };

  const timeoutError = () =>
    new HttpError(504, 'E_TIMEOUT', 'the prediction did not finish within the time limit');

  return {
    get active() {
      return active;
    },
    get queued() {
      return waiting.length;
    },
    idle() {
      if (active === 0 && waiting.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    run<T>(task: () => Promise<T>, deadline: number): Promise<T> {
      if (active >= options.concurrency && waiting.length >= options.queue) {
        const seconds = String(options.retryAfterSeconds ?? 1);
        return Promise.reject(
          new HttpError(
            503,
            'E_BUSY',
            'the server is busy: every prediction slot and queue place is taken',
            undefined,
            {
              'retry-after': seconds,
            },
          ),
        );
      }
      return new Promise<T>((resolve, reject) => {
        let timedOut = false;
        let waiter: Waiter | undefined;
        // The work itself cannot be cancelled (tfjs has no abort), so a timed-out task keeps its slot
        // until it ends: the limit protects the client, the slot count protects the server.
        const delay = Math.max(0, deadline - Date.now());
        // A deadline beyond what a timer can count (over ~24.8 days, or Infinity) would otherwise fire
        // at once; treat it as no deadline.
        const timer =
          delay <= MAX_TIMER_DELAY_MS
            ? setTimeout(() => {
                timedOut = true;
                if (waiter) {
                  const at = waiting.indexOf(waiter);
                  if (at >= 0) waiting.splice(at, 1);
                }
                reject(timeoutError());
              }, delay)
            : undefined;
        const start = () => {
          // Wrapped so a task that throws before returning a promise still releases its slot.
          new Promise<T>((resolveTask) => resolveTask(task()))
            .then(
              (value) => {
                if (!timedOut) resolve(value);
              },
              (error: unknown) => {
                if (!timedOut) reject(error);
              },
            )
            .finally(() => {
              clearTimeout(timer);
              release();
            });
        };
        if (active < options.concurrency) {
          active++;
          start();
        } else {
          waiter = { start };
          waiting.push(waiter);
        }
      });
    },
  };
}
