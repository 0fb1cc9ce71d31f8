/**
 * A fixed pool of worker threads running one module. Each worker is initialised once with `init`
 * data, then receives tasks and answers each with one result; `map` returns results in task order.
 * Used for embarrassingly parallel work (theory per cosmology, experiment repeats).
 */

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../paths.js';

export interface PoolOptions {
  /** Number of workers (default: available cores). */
  size?: number;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class WorkerPool<Task, Result> {
  readonly size: number;
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly pending = new Map<Worker, Pending>();
  private readonly queue: Array<{ task: Task; transfer?: ArrayBuffer[]; pending: Pending }> = [];
  private closed = false;

  /**
   * @param moduleUrl URL of the worker module (it calls `serveWorker`)
   * @param init data every worker receives once, before any task
   */
  constructor(moduleUrl: URL, init: unknown, options: PoolOptions = {}) {
    this.size = Math.max(1, options.size ?? availableParallelism());
    const script = workerScript(moduleUrl);
    for (let i = 0; i < this.size; i++) {
      const w = new Worker(script, { workerData: init });
      w.on('message', (msg: { ok: boolean; result?: unknown; error?: string }) => {
        const p = this.pending.get(w);
        this.pending.delete(w);
        this.idle.push(w);
        if (p) {
          if (msg.ok) p.resolve(msg.result);
          else p.reject(new Error(msg.error));
        }
        this.pump();
      });
      w.on('error', (err) => {
        const p = this.pending.get(w);
        this.pending.delete(w);
        p?.reject(err);
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop() as Worker;
      const job = this.queue.shift() as (typeof this.queue)[number];
      this.pending.set(w, job.pending);
      w.postMessage(job.task, job.transfer ?? []);
    }
  }

  /** Run one task on the next free worker. */
  run(task: Task, transfer?: ArrayBuffer[]): Promise<Result> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ task, transfer, pending: { resolve: resolve as (v: unknown) => void, reject } });
      this.pump();
    });
  }

  /** Run all tasks, results in task order. */
  map(tasks: Task[]): Promise<Result[]> {
    return Promise.all(tasks.map((t) => this.run(t)));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Inside a worker module: answer each task with handler(task). Errors are sent back as messages. */
export function serveWorker<Task, Result>(
  port: import('node:worker_threads').MessagePort,
  handler: (task: Task) => Result | Promise<Result>,
): void {
  port.on('message', async (task: Task) => {
    try {
      port.postMessage({ ok: true, result: await handler(task) });
    } catch (err) {
      port.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
}
