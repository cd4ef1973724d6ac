import { describe, expect, it } from 'vitest';
import { parsePushRefs, pushedCommits } from './push-refs.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const Z = '0'.repeat(40);

describe('pre-push stdin', () => {
  it.each([
    { scenario: 'nothing pushed (an up-to-date push)', stdin: '', commits: [] },
    { scenario: 'one branch updated', stdin: `refs/heads/main ${A} refs/heads/main ${B}\n`, commits: [{ sha: A, remoteRefs: ['refs/heads/main'] }] },
    { scenario: 'a new branch (remote side all zeros)', stdin: `refs/heads/f ${A} refs/heads/f ${Z}\n`, commits: [{ sha: A, remoteRefs: ['refs/heads/f'] }] },
    { scenario: 'a deletion only: nothing to check', stdin: `(delete) ${Z} refs/heads/old ${B}\n`, commits: [] },
    {
      scenario: 'two refs at the same commit: checked once',
      stdin: `refs/heads/main ${A} refs/heads/main ${B}\nrefs/tags/v1 ${A} refs/tags/v1 ${Z}\n`,
      commits: [{ sha: A, remoteRefs: ['refs/heads/main', 'refs/tags/v1'] }],
    },
    {
      scenario: 'two commits, and a deletion among them',
      stdin: `refs/heads/main ${A} refs/heads/main ${Z}\n(delete) ${Z} refs/heads/gone ${A}\nrefs/heads/dev ${B} refs/heads/dev ${A}\n`,
      commits: [
        { sha: A, remoteRefs: ['refs/heads/main'] },
        { sha: B, remoteRefs: ['refs/heads/dev'] },
      ],
    },
  ])('$scenario', ({ stdin, commits }) => {
    expect(pushedCommits(parsePushRefs(stdin))).toEqual(commits);
  });

  it('refuses a line that is not what git sends', () => {
    expect(() => parsePushRefs('refs/heads/main HEAD\n')).toThrow(/not a pre-push line/);
    expect(() => parsePushRefs(`refs/heads/main nothex refs/heads/main ${A}\n`)).toThrow(/not a pre-push line/);
  });
});
