import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Admission, createAdmission } from './admission.js';
import { HttpError } from './http-error.js';

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Runs every pending promise callback: `setImmediate` stays real, only timeouts and the clock are faked. */
const drain = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Tasks settled by hand, recording which started, in what order, and how many ran at once. */
function taskBoard(admission: Admission) {
  const started: string[] = [];
  const gates = new Map<string, Deferred<string>>();
  let running = 0;
  let mostRunning = 0;

  const submit = (name: string, deadline = Date.now() + 60_000) => {
    const gate = deferred<string>();
    gates.set(name, gate);
    const result = admission.run(() => {
      started.push(name);
      running++;
      mostRunning = Math.max(mostRunning, running);
      return gate.promise.finally(() => {
        running--;
      });
    }, deadline);
    // Observed later by the test; mark handled so an expected rejection is not reported as unhandled.
    result.catch(() => {});
    return result;
  };
  const gate = (name: string) => {
    const found = gates.get(name);
    if (!found) throw new Error(`no task ${name}`);
    return found;
  };
  return {
    submit,
    started,
    get mostRunning() {
      return mostRunning;
    },
    resolve: async (name: string) => {
      gate(name).resolve(`${name} done`);
      await drain();
    },
    reject: async (name: string, error: unknown) => {
      gate(name).reject(error);
      await drain();
    },
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(1_000_000);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('createAdmission', () => {
  it('runs at most `concurrency` tasks at once and counts active and queued at each step', async () => {
    const admission = createAdmission({ concurrency: 2, queue: 10 });
    const board = taskBoard(admission);
    expect([admission.active, admission.queued]).toEqual([0, 0]);

    const results = ['a', 'b', 'c', 'd', 'e'].map((name) => board.submit(name));
    expect(board.started).toEqual(['a', 'b']);
    expect([admission.active, admission.queued]).toEqual([2, 3]);

    await board.resolve('a');
    expect(board.started).toEqual(['a', 'b', 'c']);
    expect([admission.active, admission.queued]).toEqual([2, 2]);

    await board.resolve('c');
    expect(board.started).toEqual(['a', 'b', 'c', 'd']);
    expect([admission.active, admission.queued]).toEqual([2, 1]);

    await board.resolve('b');
    expect(board.started).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect([admission.active, admission.queued]).toEqual([2, 0]);

    await board.resolve('d');
    expect([admission.active, admission.queued]).toEqual([1, 0]);
    await board.resolve('e');
    expect([admission.active, admission.queued]).toEqual([0, 0]);

    expect(board.mostRunning).toBe(2);
    await expect(Promise.all(results)).resolves.toEqual(['a done', 'b done', 'c done', 'd done', 'e done']);
  });

  it('starts queued tasks first in, first out, whichever running task ends first', async () => {
    const admission = createAdmission({ concurrency: 2, queue: 10 });
    const board = taskBoard(admission);
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) board.submit(name);

    await board.resolve('b');
    await board.resolve('a');
    await board.resolve('d');
    await board.resolve('c');
    expect(board.started).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(board.mostRunning).toBe(2);
  });

  it('refuses a task with 503 E_BUSY and Retry-After when every slot and queue place is taken', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 1 });
    const board = taskBoard(admission);
    board.submit('a');
    board.submit('b');

    const refusedTask = vi.fn(async () => 'never');
    const error = await rejectionOf(admission.run(refusedTask, Date.now() + 60_000));
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({
      statusCode: 503,
      code: 'E_BUSY',
      message: 'the server is busy: every prediction slot and queue place is taken',
      headers: { 'retry-after': '1' },
    });
    expect(refusedTask).not.toHaveBeenCalled();
    expect([admission.active, admission.queued]).toEqual([1, 1]);

    // A freed place is usable again.
    await board.resolve('a');
    expect([admission.active, admission.queued]).toEqual([1, 0]);
    board.submit('c');
    expect([admission.active, admission.queued]).toEqual([1, 1]);
  });

  it('sends the configured Retry-After', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 0, retryAfterSeconds: 7 });
    taskBoard(admission).submit('a');
    const error = await rejectionOf(admission.run(async () => 'never', Date.now() + 60_000));
    expect(error).toMatchObject({ statusCode: 503, code: 'E_BUSY', headers: { 'retry-after': '7' } });
  });

  it('with concurrency 1 and no queue, runs one task and refuses the next until it ends', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 0 });
    const board = taskBoard(admission);
    const first = board.submit('a');
    expect([admission.active, admission.queued]).toEqual([1, 0]);
    expect(await rejectionOf(board.submit('b'))).toMatchObject({ statusCode: 503, code: 'E_BUSY' });
    expect(board.started).toEqual(['a']);

    await board.resolve('a');
    await expect(first).resolves.toBe('a done');
    expect([admission.active, admission.queued]).toEqual([0, 0]);

    const second = board.submit('c');
    expect(board.started).toEqual(['a', 'c']);
    await board.resolve('c');
    await expect(second).resolves.toBe('c done');
  });

  it('rejects a queued task past its deadline with 504 E_TIMEOUT and never runs it', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 2 });
    const board = taskBoard(admission);
    board.submit('a');
    const late = board.submit('b', Date.now() + 100);
    const patient = board.submit('c');
    expect([admission.active, admission.queued]).toEqual([1, 2]);

    await vi.advanceTimersByTimeAsync(99);
    expect(admission.queued).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    const error = await rejectionOf(late);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({
      statusCode: 504,
      code: 'E_TIMEOUT',
      message: 'the prediction did not finish within the time limit',
    });
    expect([admission.active, admission.queued]).toEqual([1, 1]);

    await board.resolve('a');
    expect(board.started).toEqual(['a', 'c']);
    await board.resolve('c');
    await expect(patient).resolves.toBe('c done');
    expect(board.started).toEqual(['a', 'c']);
    expect([admission.active, admission.queued]).toEqual([0, 0]);
  });

  it('frees the queue place of a task that timed out while waiting', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 1 });
    const board = taskBoard(admission);
    board.submit('a');
    const late = board.submit('b', Date.now() + 100);
    await vi.advanceTimersByTimeAsync(100);
    expect(await rejectionOf(late)).toMatchObject({ statusCode: 504 });

    board.submit('c');
    expect([admission.active, admission.queued]).toEqual([1, 1]);
  });

  it('rejects a queued task whose deadline has already passed on the next timer tick', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 1 });
    const board = taskBoard(admission);
    board.submit('a');
    const late = board.submit('b', Date.now() - 5);
    await vi.advanceTimersByTimeAsync(0);
    expect(await rejectionOf(late)).toMatchObject({ statusCode: 504, code: 'E_TIMEOUT' });
    expect(admission.queued).toBe(0);
  });

  it('answers a running task past its deadline with 504 but keeps its slot until the task ends', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 1 });
    const board = taskBoard(admission);
    const slow = board.submit('a', Date.now() + 100);
    board.submit('b');

    await vi.advanceTimersByTimeAsync(100);
    expect(await rejectionOf(slow)).toMatchObject({ statusCode: 504, code: 'E_TIMEOUT' });
    expect([admission.active, admission.queued]).toEqual([1, 1]);
    expect(board.started).toEqual(['a']);

    await board.resolve('a');
    expect(board.started).toEqual(['a', 'b']);
    expect([admission.active, admission.queued]).toEqual([1, 0]);
  });

  it('does not time out a task that settles before its deadline', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 0 });
    const board = taskBoard(admission);
    const quick = board.submit('a', Date.now() + 100);
    await board.resolve('a');
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(quick).resolves.toBe('a done');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits past a deadline further away than setTimeout can count', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 1 });
    const board = taskBoard(admission);
    const far = board.submit('a', Date.now() + 2 ** 31);
    const never = board.submit('b', Number.POSITIVE_INFINITY);
    await vi.advanceTimersByTimeAsync(60_000);
    expect([admission.active, admission.queued]).toEqual([1, 1]);

    await board.resolve('a');
    await expect(far).resolves.toBe('a done');
    await board.resolve('b');
    await expect(never).resolves.toBe('b done');
  });

  it('passes a running task’s rejection through and frees its slot', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 1 });
    const board = taskBoard(admission);
    const failing = board.submit('a');
    board.submit('b');

    const boom = new Error('boom');
    await board.reject('a', boom);
    expect(await rejectionOf(failing)).toBe(boom);
    expect(board.started).toEqual(['a', 'b']);
    expect([admission.active, admission.queued]).toEqual([1, 0]);
  });

  it('frees the slot of a task that throws before returning a promise', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 2 });
    const board = taskBoard(admission);
    const boom = new Error('thrown synchronously');
    const throwing = (): Promise<string> => {
      throw boom;
    };

    expect(await rejectionOf(admission.run(throwing, Date.now() + 60_000))).toBe(boom);
    expect([admission.active, admission.queued]).toEqual([0, 0]);

    // The same from the queue: started by another task's release.
    board.submit('a');
    const queuedThrow = rejectionOf(admission.run(throwing, Date.now() + 60_000));
    board.submit('c');
    await board.resolve('a');
    expect(await queuedThrow).toBe(boom);
    expect(board.started).toEqual(['a', 'c']);
    expect([admission.active, admission.queued]).toEqual([1, 0]);
    await board.resolve('c');
    await expect(admission.idle()).resolves.toBeUndefined();
  });

  it('resolves idle() at once when nothing runs or waits', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 0 });
    await expect(admission.idle()).resolves.toBeUndefined();
  });

  it('resolves idle() only after every running and queued task has settled', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 2 });
    const board = taskBoard(admission);
    board.submit('a');
    board.submit('b');
    board.submit('c');
    let idle = false;
    const waitingForIdle = admission.idle().then(() => {
      idle = true;
    });

    await board.resolve('a');
    expect(idle).toBe(false);
    await board.reject('b', new Error('boom'));
    expect(idle).toBe(false);
    await board.resolve('c');
    expect(idle).toBe(true);
    await waitingForIdle;
  });

  it('resolves idle() only once a timed-out running task has actually ended', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 0 });
    const board = taskBoard(admission);
    board.submit('a', Date.now() + 100);
    let idle = false;
    void admission.idle().then(() => {
      idle = true;
    });

    await vi.advanceTimersByTimeAsync(100);
    await drain();
    expect(idle).toBe(false);
    await board.resolve('a');
    expect(idle).toBe(true);
  });
});

describe('admission tickets (a place taken before the body is read)', () => {
  it('counts an admitted request as queued before it runs, and refuses past concurrency + queue', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 1 });
    const first = admission.admit();
    const second = admission.admit();
    expect([admission.active, admission.queued]).toEqual([0, 2]);
    expect(() => admission.admit()).toThrow(expect.objectContaining({ statusCode: 503, code: 'E_BUSY' }));

    const gate = deferred<string>();
    const running = first.run(() => gate.promise, Date.now() + 60_000);
    expect([admission.active, admission.queued]).toEqual([1, 1]);
    expect(() => admission.admit()).toThrow(expect.objectContaining({ statusCode: 503 }));
    gate.resolve('done');
    await expect(running).resolves.toBe('done');
    expect([admission.active, admission.queued]).toEqual([0, 1]);
    second.release();
    expect([admission.active, admission.queued]).toEqual([0, 0]);
  });

  it('gives a place back on release() before the task starts, once', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 0 });
    const ticket = admission.admit();
    expect(() => admission.admit()).toThrow(expect.objectContaining({ code: 'E_BUSY' }));
    ticket.release();
    ticket.release();
    expect(admission.queued).toBe(0);
    const next = admission.admit();
    expect(admission.queued).toBe(1);
    await expect(ticket.run(async () => 'late', Date.now() + 1_000)).rejects.toThrow(/one task/);
    next.release();
    await expect(admission.idle()).resolves.toBeUndefined();
  });

  it('drops a task that waits for a slot when its ticket is released (client gone), freeing the place', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 1 });
    const board = taskBoard(admission);
    board.submit('a');
    const ticket = admission.admit();
    const task = vi.fn(async () => 'never');
    const waiting = ticket.run(task, Date.now() + 60_000);
    expect([admission.active, admission.queued]).toEqual([1, 1]);
    ticket.release();
    expect(await rejectionOf(waiting)).toMatchObject({ statusCode: 503, code: 'E_CANCELLED' });
    expect([admission.active, admission.queued]).toEqual([1, 0]);
    await board.resolve('a');
    expect(task).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ignores release() once the task runs: the slot is freed when the task ends', async () => {
    const admission = createAdmission({ concurrency: 1, queue: 0 });
    const ticket = admission.admit();
    const gate = deferred<string>();
    const running = ticket.run(() => gate.promise, Date.now() + 60_000);
    ticket.release();
    expect([admission.active, admission.queued]).toEqual([1, 0]);
    expect(() => admission.admit()).toThrow(expect.objectContaining({ code: 'E_BUSY' }));
    gate.resolve('ok');
    await expect(running).resolves.toBe('ok');
    expect([admission.active, admission.queued]).toEqual([0, 0]);
  });

  it('idle() waits for places held by requests still reading their body', async () => {
    const admission = createAdmission({ concurrency: 2, queue: 2 });
    const ticket = admission.admit();
    let idle = false;
    void admission.idle().then(() => {
      idle = true;
    });
    await drain();
    expect(idle).toBe(false);
    ticket.release();
    await drain();
    expect(idle).toBe(true);
  });
});
