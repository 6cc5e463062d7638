/** Plain-text tables for the console. */
import type { ArgonBaseline } from './argon.js';
import type { PhaseResult } from './phase.js';
import { round } from './stats.js';

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) =>
    r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (Number.isInteger(v)) return String(v);
  if (Math.abs(v) >= 100) return String(Math.round(v));
  if (Math.abs(v) >= 10) return round(v, 1).toFixed(1);
  return round(v, 2).toFixed(2);
}

export function argonTable(a: ArgonBaseline): string {
  return table(
    ['argon2id verify (m=19 MiB, t=2, p=1)', 'in flight', 'verifies', 'verify/s', 'p50 ms', 'p95 ms', 'CPU ms/verify'],
    a.levels.map((l) => [
      l.concurrency === a.threadPoolSize ? 'ceiling (= thread pool size)' : '',
      l.concurrency,
      l.verifies,
      l.perSecond,
      l.latency.p50,
      l.latency.p95,
      l.cpuMsPerVerify,
    ]),
  );
}

export function phaseTable(phases: PhaseResult[]): string {
  return table(
    ['phase', 'clients', 'runs', 'ok', 'err', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'srv CPU ms/req', 'loop busy', 'machine busy'],
    phases.map((p) => [
      p.name + (p.timedOut ? ' (time limit)' : ''),
      p.clients,
      'repeats' in p && Array.isArray(p.repeats) ? p.repeats.length : 1,
      p.requests,
      p.errors,
      p.perSecond,
      p.latency.p50,
      p.latency.p95,
      p.latency.p99,
      p.serverCpuMsPerRequest,
      `${Math.round(p.eventLoopUtilization * 100)} %`,
      `${Math.round(p.machineBusyPct)} %`,
    ]),
  );
}

export function profileText(p: PhaseResult): string {
  if (!p.profile) return '';
  const cats = p.profile.byCategory.map((c) => `    ${String(c.pct).padStart(5)} %  ${String(c.ms).padStart(6)} ms  ${c.name}`).join('\n');
  const funcs = p.profile.byFunction
    .slice(0, 12)
    .map((c) => `    ${String(c.pct).padStart(5)} %  ${String(c.ms).padStart(6)} ms  ${c.name}`)
    .join('\n');
  return `  profile of « ${p.name} » (server main thread, self time, ${p.profile.totalMs} ms busy) → ${p.profile.file}\n  by package / file:\n${cats}\n  by function:\n${funcs}`;
}
