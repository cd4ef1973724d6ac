/**
 * nudge's finished executions, kept on disk as they are settled: one file per outcome, so the
 * report reads them back in its order (stragglers first) without holding them. Within an outcome
 * they are sorted by workflow type and ID when there are at most `sortLimit` of them (sorting
 * needs them all in memory); past that they come in the order they were settled.
 */
import {
  addToSummary,
  compareNudgeResults,
  emptyNudgeSummary,
  NUDGE_OUTCOME_ORDER,
  type NudgeOutcome,
  type NudgeResult,
  type NudgeResults,
  type NudgeSummary,
} from '../core/nudge.js';
import type { SpillDir, SpillFile } from '../util/spill-file.js';

/** Up to this many results of one outcome are sorted; each is a few hundred bytes in memory. */
export const NUDGE_SORT_LIMIT = 10_000;

export class NudgeResultStore {
  readonly summary: NudgeSummary = emptyNudgeSummary();
  private readonly files: Record<NudgeOutcome, SpillFile<NudgeResult>>;

  constructor(
    private readonly dir: SpillDir,
    private readonly sortLimit = NUDGE_SORT_LIMIT,
  ) {
    this.files = { straggler: dir.file('straggler'), closed: dir.file('closed'), moved: dir.file('moved'), would_signal: dir.file('would_signal') };
  }

  get count(): number {
    return NUDGE_OUTCOME_ORDER.reduce((n, o) => n + this.files[o].count, 0);
  }

  countOf(outcome: NudgeOutcome): number {
    return this.files[outcome].count;
  }

  async add(result: NudgeResult): Promise<void> {
    addToSummary(this.summary, result);
    await this.files[result.outcome].append(result);
  }

  /** No more results: what the report reads. Closing it removes the folder they are kept in. */
  async finish(): Promise<NudgeResults> {
    for (const o of NUDGE_OUTCOME_ORDER) await this.files[o].close();
    const { files, sortLimit, dir } = this;
    let closed = false;
    return {
      count: this.count,
      async *[Symbol.asyncIterator]() {
        if (closed) throw new Error('nudge results read after they were closed');
        for (const o of NUDGE_OUTCOME_ORDER) {
          const file = files[o];
          if (file.count > sortLimit) {
            yield* file.read();
            continue;
          }
          const group: NudgeResult[] = [];
          for await (const r of file.read()) group.push(r);
          yield* group.sort(compareNudgeResults);
        }
      },
      close: async () => {
        closed = true;
        dir.dispose();
      },
    };
  }
}
