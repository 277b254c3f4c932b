/**
 * CPU time used by the benchmark's own process tree between two snapshots, grouped by what
 * the process is (this Node process, Deno function workers, PostgreSQL backends, other
 * children such as the web app). Linux only (/proc); elsewhere the snapshot is empty.
 *
 * CPU-seconds per request × requests / cores is the least wall time a burst can take, which is
 * what the benchmarks print next to their latencies.
 */
import fs from 'node:fs';

const TICKS_PER_SECOND = 100;

type Proc = { pid: number; ppid: number; comm: string; ticks: number };

function readProcs(): Proc[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const procs: Proc[] = [];
  for (const e of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      // comm may contain spaces and parentheses: the fields after it start at the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat
        .slice(close + 2)
        .split(' ')
        .map(Number);
      // f[0] = state, f[1] = ppid, f[11] = utime, f[12] = stime (fields 3, 4, 14, 15 of stat)
      procs.push({ pid: Number(e), ppid: f[1], comm, ticks: f[11] + f[12] });
    } catch {
      // exited meanwhile
    }
  }
  return procs;
}

/** PostgreSQL's process title tells its sessions from autovacuum and the other background work. */
function postgresGroup(pid: number): string {
  let title = '';
  try {
    title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // exited meanwhile
  }
  if (title.includes('autovacuum')) return 'postgres autovacuum';
  return /\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]/.test(title) ? 'postgres' : 'postgres background';
}

export type CpuSnapshot = Map<number, { group: string; ticks: number }>;

/** CPU ticks of this process and all its descendants, by pid; `names` labels known pids. */
export function cpuSnapshot(names: ReadonlyMap<number, string> = new Map()): CpuSnapshot {
  const procs = readProcs();
  const children = new Map<number, Proc[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: CpuSnapshot = new Map();
  const self = procs.find((p) => p.pid === process.pid);
  if (!self) return out;
  const walk = (p: Proc) => {
    const group =
      names.get(p.pid) ??
      (p.pid === process.pid
        ? 'bench process'
        : p.comm.startsWith('postgres') || p.comm.startsWith('postmaster')
          ? postgresGroup(p.pid)
          : p.comm.startsWith('deno')
            ? 'deno'
            : p.comm.startsWith('node')
              ? 'node (child)'
              : p.comm);
    out.set(p.pid, { group, ticks: p.ticks });
    for (const c of children.get(p.pid) ?? []) walk(c);
  };
  walk(self);
  return out;
}

/** Seconds of CPU per group between two snapshots (processes started in between count from 0). */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Map<string, number> {
  const sums = new Map<string, number>();
  for (const [pid, a] of after) {
    const b = before.get(pid)?.ticks ?? 0;
    sums.set(a.group, (sums.get(a.group) ?? 0) + (a.ticks - b) / TICKS_PER_SECOND);
  }
  return sums;
}

/** "deno 1.20 s, postgres 0.80 s, …; total 2.90 CPU-s = 5.8 ms/request". */
export function formatCpu(sums: Map<string, number>, requests: number): string {
  const total = [...sums.values()].reduce((a, b) => a + b, 0);
  const parts = [...sums]
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(2)} s`);
  return `${parts.join(', ')}; total ${total.toFixed(2)} CPU-s = ${((total * 1000) / requests).toFixed(1)} ms/request`;
}
