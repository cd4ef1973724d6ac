/**
 * What a `git push` sends: the pre-push hook reads one line per ref on stdin,
 * `<local ref> <local sha> <remote ref> <remote sha>` (see githooks(5)). Pure.
 */

export interface PushedRef {
  localRef: string;
  localSha: string;
  remoteRef: string;
  remoteSha: string;
}

/** A commit whose tree a push would publish, with the remote refs it goes to. */
export interface PushedCommit {
  sha: string;
  remoteRefs: string[];
}

/** An all-zero sha: the ref is deleted (local side) or new (remote side). */
export const isZeroSha = (sha: string): boolean => /^0+$/.test(sha);

/** Parses the hook's stdin; blank lines are skipped, a malformed line throws. */
export function parsePushRefs(stdin: string): PushedRef[] {
  const refs: PushedRef[] = [];
  for (const line of stdin.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length === 1 && words[0] === '') continue;
    const [localRef, localSha, remoteRef, remoteSha] = words;
    if (words.length !== 4 || !localRef || !localSha || !remoteRef || !remoteSha || ![localSha, remoteSha].every((s) => /^[0-9a-f]{4,64}$/i.test(s))) {
      throw new Error(`not a pre-push line (expected "<local ref> <local sha> <remote ref> <remote sha>"): ${JSON.stringify(line)}`);
    }
    refs.push({ localRef, localSha, remoteRef, remoteSha });
  }
  return refs;
}

/**
 * The commits to check: the tip of every ref the push updates or creates, once each however many
 * refs point at it. A deletion publishes no code, so it needs no check.
 */
export function pushedCommits(refs: readonly PushedRef[]): PushedCommit[] {
  const bySha = new Map<string, PushedCommit>();
  for (const ref of refs) {
    if (isZeroSha(ref.localSha)) continue;
    const commit = bySha.get(ref.localSha) ?? { sha: ref.localSha, remoteRefs: [] };
    commit.remoteRefs.push(ref.remoteRef);
    bySha.set(ref.localSha, commit);
  }
  return [...bySha.values()];
}
