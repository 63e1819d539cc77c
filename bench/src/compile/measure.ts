/**
 * Interleaved timing for the compile benchmark: every variant of a workload (eager, compiled, a
 * peer) runs in turn, a few calls per round, the order rotating each round, so load on a shared
 * machine falls on all of them alike. The first call of each variant is timed apart (for a
 * compiled function it traces, runs the passes and builds kernels). Runs in Node and browsers.
 */

/** One way to run a workload; `run` resolves once the result is on the host. */
export interface Variant {
  readonly id: string;
  readonly run: () => Promise<void>;
}

/** What was measured for one variant. */
export interface Timing {
  readonly firstMs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly samples: number;
}

/** Limits of one interleaved measurement. */
export interface MeasureOptions {
  /** Rounds (each runs every variant `perRound` times). */
  readonly rounds: number;
  readonly perRound: number;
  /** Stop starting rounds after this many milliseconds (once `minRounds` have run). */
  readonly budgetMs: number;
  /** Rounds that run whatever the budget (default 2). */
  readonly minRounds?: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Times each variant's first call, one warm-up call each, then interleaved rounds. Returns the
 * timing per variant id and, per round, each variant's median (to show how ratios spread).
 */
export async function interleaved(variants: readonly Variant[], o: MeasureOptions): Promise<{ timings: Record<string, Timing>; rounds: Record<string, number>[] }> {
  const first: Record<string, number> = {};
  for (const v of variants) {
    const t = performance.now();
    await v.run();
    first[v.id] = performance.now() - t;
  }
  for (const v of variants) await v.run();
  const samples: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.id, []]));
  const rounds: Record<string, number>[] = [];
  const started = performance.now();
  const minRounds = Math.min(o.rounds, o.minRounds ?? 2);
  for (let r = 0; r < o.rounds && (r < minRounds || performance.now() - started < o.budgetMs); r++) {
    const round: Record<string, number> = {};
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + r) % variants.length]!;
      const mine: number[] = [];
      for (let i = 0; i < o.perRound; i++) {
        const t = performance.now();
        await v.run();
        mine.push(performance.now() - t);
      }
      samples[v.id]!.push(...mine);
      round[v.id] = median(mine);
    }
    rounds.push(round);
  }
  const timings: Record<string, Timing> = {};
  for (const v of variants) {
    const s = samples[v.id]!;
    timings[v.id] = { firstMs: first[v.id]!, medianMs: median(s), minMs: Math.min(...s), samples: s.length };
  }
  return { timings, rounds };
}

/**
 * `a / b` per round: the spread of a ratio across rounds, as [min, median, max]. The median is
 * the paired estimate: both variants of a round ran back to back under the same load, so a load
 * that drifts between rounds cancels in it, unlike a ratio of medians over a few slow samples.
 */
export function ratioSpread(rounds: readonly Record<string, number>[], a: string, b: string): [number, number, number] {
  const r = rounds.map((x) => x[a]! / x[b]!).filter(Number.isFinite);
  return [Math.min(...r), median(r), Math.max(...r)];
}
