/** The load generator child process (bench/loadgen.ts), one job at a time. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChargeJob, ChargeResult, Job, LoadResult, Reply } from './protocol.js';

export class LoadGenerator {
  private readonly child: ChildProcess;

  constructor(cwd: string) {
    this.child = fork(fileURLToPath(new URL('./loadgen.ts', import.meta.url)), [], {
      cwd,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  }

  private send(job: Job): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: Reply) => {
        this.child.off('exit', onExit);
        resolve(m);
      };
      const onExit = (code: number | null) => {
        this.child.off('message', onMessage);
        reject(new Error(`load generator exited (${code})`));
      };
      this.child.once('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(job);
    });
  }

  async run(job: Exclude<Job, { type: 'sessions' | 'charge' }>): Promise<LoadResult> {
    const r = await this.send(job);
    if (r.type === 'error') throw new Error(`load generator: ${r.message}`);
    if (r.type !== 'result') throw new Error(`load generator: unexpected ${r.type}`);
    return r.result;
  }

  async sessions(job: Extract<Job, { type: 'sessions' }>): Promise<string[]> {
    const r = await this.send(job);
    if (r.type === 'error') throw new Error(`load generator: ${r.message}`);
    if (r.type !== 'sessions') throw new Error(`load generator: unexpected ${r.type}`);
    return r.sids;
  }

  async charge(job: ChargeJob): Promise<ChargeResult> {
    const r = await this.send(job);
    if (r.type === 'error') throw new Error(`load generator: ${r.message}`);
    if (r.type !== 'charge') throw new Error(`load generator: unexpected ${r.type}`);
    return r.result;
  }

  close() {
    if (this.child.connected) this.child.disconnect();
  }
}
