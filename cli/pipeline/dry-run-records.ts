/**
 * What a dry run of apply found, kept on disk instead of in memory (a dry run journals nothing):
 * its entries and the executions a real run would change, read back by the report. One serves
 * both runs of `--phase all`; whoever made it disposes of it after the report.
 */
import type { JournalEntry } from '../core/journal.js';
import type { WouldChange } from '../core/plan.js';
import { SpillDir, type SpillFile } from '../util/spill-file.js';

export class DryRunRecords {
  readonly entries: SpillFile<JournalEntry>;
  readonly wouldChange: SpillFile<WouldChange>;

  private constructor(private readonly dir: SpillDir) {
    this.entries = dir.file('entries');
    this.wouldChange = dir.file('would-change');
  }

  static create(): DryRunRecords {
    return new DryRunRecords(SpillDir.create('safe-deploy-apply-dry-run-'));
  }

  /** Done writing (for now): both can be read, as often as needed. */
  async close(): Promise<void> {
    await this.entries.close();
    await this.wouldChange.close();
  }

  dispose(): void {
    this.dir.dispose();
  }
}
