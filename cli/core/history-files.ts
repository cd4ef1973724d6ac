/** How history files are named in a folder that `histories pull` writes and `check --histories` reads. Pure. */

/**
 * `<workflow ID>@<run ID>.json`, the workflow ID URI-encoded (it may hold `/`, and `@` is encoded
 * too, so the last `@` always starts the run ID).
 */
export function historyFileName(workflowId: string, runId: string): string {
  return `${encodeURIComponent(workflowId)}@${encodeURIComponent(runId)}.json`;
}

/** The workflow ID a history file is named after: `<id>@<run>.json` or `<id>.json`, decoded. */
export function workflowIdFromFileName(fileName: string): string {
  const name = fileName.replace(/\.json$/, '');
  const at = name.lastIndexOf('@');
  const encoded = at > 0 ? name.slice(0, at) : name;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}
