import { HttpError } from './http-error.js';

/**
 * At most `concurrency` tasks run at once and at most `queue` more hold a place; the rest are
 * refused. A place is taken with `admit()` as soon as a request arrives, before its body is read, so
 * an overloaded server refuses cheaply instead of parsing bodies it will throw away.
 */
export interface Admission {
  /** Takes a place now or throws 503 `E_BUSY` (with Retry-After) when every slot and place is held. */
  admit(): Ticket;
  /** `admit()` then `ticket.run()`: a full queue is a rejected promise, not a throw. */
  run<T>(task: () => Promise<T>, deadline: number): Promise<T>;
  /** Tasks running. */
  readonly active: number;
  /** Places held by requests not yet running: bodies being read and tasks waiting for a slot. */
  readonly queued: number;
  /** Resolves once nothing runs or holds a place. */
  idle(): Promise<void>;
}

/** One admitted request's place. */
export interface Ticket {
  /**
   * Runs `task` when a slot frees (first in, first out); 504 `E_TIMEOUT` past `deadline` (ms since
   * epoch). A ticket runs one task.
   */
  run<T>(task: () => Promise<T>, deadline: number): Promise<T>;
  /**
   * Gives the place back if the task has not started (the body was refused, the client left); a
   * task waiting for a slot is dropped and its promise rejected. No-op once the task runs or ended.
   */
  release(): void;
}

interface Waiter {
  readonly start: () => void;
  readonly cancel: () => void;
}

/** Longest delay `setTimeout` honours; a longer one fires after 1 ms instead. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export function createAdmission(options: {
  concurrency: number;
  queue: number;
  retryAfterSeconds?: number;
}): Admission {
  let active = 0;
  /** Admitted tickets that have not started: reading their body, or in `waiting`. */
  let held = 0;
  const waiting: Waiter[] = [];
  let idleWaiters: (() => void)[] = [];
  const retryAfter = String(options.retryAfterSeconds ?? 1);

  const settleIdle = () => {
    if (active !== 0 || held !== 0) return;
    for (const resolve of idleWaiters) resolve();
    idleWaiters = [];
  };
  const release = () => {
    active--;
    const next = waiting.shift();
    if (next) next.start();
    else settleIdle();
  };

  const busyError = () =>
    new HttpError(
      503,
      'E_BUSY',
      'the server is busy: every prediction slot and queue place is taken',
      undefined,
      { 'retry-after': retryAfter },
    );
  const timeoutError = () =>
    new HttpError(504, 'E_TIMEOUT', 'the prediction did not finish within the time limit');
  const cancelledError = () =>
    new HttpError(503, 'E_CANCELLED', 'the request was abandoned while it waited for a slot');

  const admit = (): Ticket => {
    if (active + held >= options.concurrency + options.queue) throw busyError();
    held++;
    let state: 'held' | 'waiting' | 'running' | 'done' = 'held';
    let waiter: Waiter | undefined;
    const leave = () => {
      state = 'done';
      held--;
      settleIdle();
    };
    return {
      release() {
        if (state === 'held') leave();
        else if (state === 'waiting') waiter?.cancel();
      },
      run<T>(task: () => Promise<T>, deadline: number): Promise<T> {
        if (state !== 'held') return Promise.reject(new Error('an admission ticket runs one task'));
        return new Promise<T>((resolve, reject) => {
          let timedOut = false;
          const dequeue = () => {
            const at = waiter ? waiting.indexOf(waiter) : -1;
            if (at >= 0) waiting.splice(at, 1);
            leave();
          };
          // The work itself cannot be cancelled (tfjs has no abort), so a timed-out task keeps its slot
          // until it ends: the limit protects the client, the slot count protects the server.
          const delay = Math.max(0, deadline - Date.now());
          // A deadline beyond what a timer can count (over ~24.8 days, or Infinity) would otherwise
          // fire at once; treat it as no deadline.
          const timer =
            delay <= MAX_TIMER_DELAY_MS
              ? setTimeout(() => {
                  timedOut = true;
                  if (state === 'waiting') dequeue();
                  reject(timeoutError());
                }, delay)
              : undefined;
          const start = () => {
            state = 'running';
            held--;
            active++;
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
                state = 'done';
                release();
              });
          };
          if (active < options.concurrency) {
            start();
          } else {
            state = 'waiting';
            waiter = {
              start,
              cancel: () => {
                clearTimeout(timer);
                dequeue();
                reject(cancelledError());
              },
            };
            waiting.push(waiter);
          }
        });
      },
    };
  };

  return {
    get active() {
      return active;
    },
    get queued() {
      return held;
    },
    idle() {
      if (active === 0 && held === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    admit,
    run<T>(task: () => Promise<T>, deadline: number): Promise<T> {
      let ticket: Ticket;
      try {
        ticket = admit();
      } catch (error) {
        return Promise.reject(error);
      }
      return ticket.run(task, deadline);
    },
  };
}
