/** Turns a ProtoJSON history into the other dialects users download, for loader tests. */

const ENUM_PREFIXES = [
  'EVENT_TYPE_', 'TASK_QUEUE_KIND_', 'PARENT_CLOSE_POLICY_', 'WORKFLOW_ID_REUSE_POLICY_', 'VERSIONING_BEHAVIOR_',
  'RETRY_STATE_', 'CONTINUE_AS_NEW_INITIATOR_', 'TIMEOUT_TYPE_', 'WORKFLOW_TASK_FAILED_CAUSE_',
];

function constantToPascal(s: string): string {
  return s.toLowerCase().replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase());
}

/** The old UI's export: the same document with PascalCase enum values ("WorkflowExecutionStarted"). */
export function toPascalCaseDialect(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(toPascalCaseDialect);
  if (json && typeof json === 'object') {
    return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, toPascalCaseDialect(v)]));
  }
  if (typeof json === 'string') {
    const prefix = ENUM_PREFIXES.find((p) => json.startsWith(p));
    if (prefix) return constantToPascal(json.slice(prefix.length));
  }
  return json;
}

/** The UI's "Readable" download: every payload replaced by its decoded JSON value. */
export function toReadableDialect(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(toReadableDialect);
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    if (Array.isArray(o.payloads)) {
      return {
        ...o,
        payloads: o.payloads.map((p) => {
          const data = (p as { data?: string }).data;
          return data ? JSON.parse(Buffer.from(data, 'base64').toString('utf8')) : null;
        }),
      };
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, toReadableDialect(v)]));
  }
  return json;
}
