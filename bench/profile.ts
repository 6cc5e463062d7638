/**
 * Optional CPU profile of the server's main thread during a load phase (BENCH_PROFILE=1): the V8
 * sampling profiler through node:inspector, summarised by self time per package / source file and per
 * function, and saved as a .cpuprofile (open it in Chrome DevTools) next to the JSON results.
 * argon2 runs on the libuv pool threads and does not appear here (it is not JavaScript).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { relative } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  byCategory: { name: string; ms: number; pct: number }[];
  byFunction: { name: string; ms: number; pct: number }[];
}

const root = process.cwd();

function category(f: CallFrame): string {
  if (!f.url) return f.functionName.startsWith('(') ? f.functionName : '(native)';
  if (f.url.startsWith('wasm://')) return 'wasm (PGlite)';
  if (f.url.startsWith('node:')) return 'node:' + f.url.slice(5).split('/')[0];
  const nm = f.url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = f.url.slice(nm + 14).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const path = f.url.startsWith('file://') ? new URL(f.url).pathname : f.url;
  return relative(root, path);
}

export class Profiler {
  private session = new Session();

  async start() {
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 200 });
    await this.session.post('Profiler.start');
  }

  async stop(file: string): Promise<ProfileSummary> {
    const { profile } = (await this.session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    await this.session.post('Profiler.disable');
    this.session.disconnect();
    writeFileSync(file, JSON.stringify(profile));
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i++) {
      // timeDeltas[i] is the time before sample i; attribute the next delta to sample i
      const ms = (deltas[i + 1] ?? 0) / 1000;
      self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + ms);
    }
    const cats = new Map<string, number>();
    const funcs = new Map<string, number>();
    let total = 0;
    for (const [id, ms] of self) {
      const f = byId.get(id)!.callFrame;
      if (f.functionName === '(idle)') continue;
      total += ms;
      const c = category(f);
      cats.set(c, (cats.get(c) ?? 0) + ms);
      const fname = `${f.functionName || '(anonymous)'} ${c}${f.url ? `:${f.lineNumber + 1}` : ''}`;
      funcs.set(fname, (funcs.get(fname) ?? 0) + ms);
    }
    const top = (m: Map<string, number>, n: number) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([name, ms]) => ({ name, ms: Math.round(ms), pct: Math.round((ms / total) * 1000) / 10 }));
    return { file, totalMs: Math.round(total), byCategory: top(cats, 15), byFunction: top(funcs, 20) };
  }
}
