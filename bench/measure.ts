// Timing whole processes: interleaved rounds (every case once per round, so a slow moment of a
// shared machine hits all cases alike), warm-up rounds discarded, min and median kept.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

export interface Measured {
  name: string;
  runs: number;
  min: number;
  median: number;
}

export interface Case {
  name: string;
  cmd: string[];
  env: Record<string, string>;
  before?: () => void;
}

export function runOnce(c: Case): number {
  c.before?.();
  const started = process.hrtime.bigint();
  const r = spawnSync(c.cmd[0] as string, c.cmd.slice(1), { env: c.env, stdio: ["ignore", "pipe", "pipe"] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${c.name} failed (${r.status}): ${r.stderr.toString().slice(0, 400)}`);
  return ms;
}

/**
 * Interleaved rounds (every case once per round) so that a slow moment of a shared machine
 * hits all cases alike; the first `warmup` rounds are discarded.
 */
export function measure(cases: Case[], rounds: number, warmup = 3): Measured[] {
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < warmup + rounds; round++) {
    cases.forEach((c, i) => {
      const ms = runOnce(c);
      if (round >= warmup) samples[i]?.push(ms);
    });
  }
  return cases.map((c, i) => {
    const s = (samples[i] ?? []).sort((a, b) => a - b);
    return { name: c.name, runs: s.length, min: s[0] ?? 0, median: s[Math.floor(s.length / 2)] ?? 0 };
  });
}

/** Peak RSS (KB) over `runs` runs of a command, via bench/rss.mjs preloaded. */
export function peakRssKb(cmd: string[], env: Record<string, string>, rssFile: string, runs = 3): number {
  const [node, ...rest] = cmd;
  for (let i = 0; i < runs; i++)
    spawnSync(node as string, ["--import", new URL("./rss.mjs", import.meta.url).pathname, ...rest], {
      env: { ...env, ROLECTL_RSS_FILE: rssFile },
    });
  return Math.max(...readFileSync(rssFile, "utf8").trim().split("\n").map(Number));
}
