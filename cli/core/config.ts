/**
 * The project config (`safe-deploy.config.json`, or the "safe-deploy" key of package.json): its
 * schema, its validation, and how it fills in the flags of `check`. Pure: finding and reading the
 * file is cli/config/load.ts.
 *
 * Precedence, per setting: command-line flag > TEMPORAL_* environment variable (connection
 * settings only) > config file > Temporal TOML profile > built-in default.
 *
 * Which executions `check` replays:
 *  - `--histories` on the command line: those files; nothing of the config's selection applies.
 *  - `--offline`: the config's "histories" (live selectors on the command line are refused).
 *  - a live selector on the command line or in the config (deployment, taskQueue, workflowTypes,
 *    query): live executions; each selector not given on the command line comes from the config.
 *  - otherwise the config's "histories", when it has them.
 * The candidate is one thing: `--workflows` or `--bundle` on the command line replaces both of the
 * config's; with none on the command line, the config must name one ("workflows" or "bundle").
 * Every key is optional. "longRunningTypes" and "keepPinnedTypes" are the policy of plan / deploy
 * (see policyTypesFromConfig); check does not use them. "strict" is for the pre-push hook: block the push
 * when the server cannot be reached and there are no "histories" to check instead. Secrets (API
 * keys, TLS keys) never go in the file: it gets committed.
 */

import { resolve } from 'node:path';

export const CONFIG_FILE_NAME = 'safe-deploy.config.json';
export const PACKAGE_JSON_KEY = 'safe-deploy';

/** What a config file may hold. Paths are absolute once parsed (resolved against the file's folder). */
export interface ProjectSettings {
  workflows?: string;
  bundle?: string;
  payloadConverter?: string;
  failureConverter?: string;
  codec?: string;
  interceptors?: string[];
  deployment?: string;
  taskQueue?: string;
  workflowTypes?: string[];
  query?: string;
  histories?: string[];
  longRunningTypes?: string[];
  /** Workflow types that always stay PINNED: never upgraded, whatever their replay proves. */
  keepPinnedTypes?: string[];
  address?: string;
  namespace?: string;
  profile?: string;
  /** Pre-push hook: an unreachable server blocks the push (default: warn and let it through). */
  strict?: boolean;
  /** A live selection with no running executions fails the gate (`--fail-on-empty`). */
  failOnEmpty?: boolean;
}

export interface ProjectConfig extends ProjectSettings {
  /** For messages: the file, with `("safe-deploy" key)` when it is a package.json. */
  source: string;
  /** The folder relative paths were resolved against. */
  dir: string;
}

/** A config that cannot be used; the adapter turns it into a UsageError (exit 2). */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

type FieldKind = 'string' | 'strings' | 'boolean';
const FIELDS: { readonly [K in keyof Required<ProjectSettings>]: { kind: FieldKind; path?: true } } = {
  workflows: { kind: 'string', path: true },
  bundle: { kind: 'string', path: true },
  payloadConverter: { kind: 'string', path: true },
  failureConverter: { kind: 'string', path: true },
  codec: { kind: 'string', path: true },
  interceptors: { kind: 'strings', path: true },
  deployment: { kind: 'string' },
  taskQueue: { kind: 'string' },
  workflowTypes: { kind: 'strings' },
  query: { kind: 'string' },
  histories: { kind: 'strings', path: true },
  longRunningTypes: { kind: 'strings' },
  keepPinnedTypes: { kind: 'strings' },
  address: { kind: 'string' },
  namespace: { kind: 'string' },
  profile: { kind: 'string' },
  strict: { kind: 'boolean' },
  failOnEmpty: { kind: 'boolean' },
};

export const CONFIG_KEYS = Object.keys(FIELDS) as (keyof ProjectSettings)[];

function isKnownKey(key: string): key is keyof ProjectSettings {
  return Object.hasOwn(FIELDS, key);
}

/** A key that would put a secret into a committed file gets its own refusal, with where it goes instead. */
function secretRefusal(key: string, source: string): ConfigError | undefined {
  const k = key.toLowerCase().replace(/[^a-z]/g, '');
  if (k.includes('apikey') || k.includes('token') || k.includes('secret') || k.includes('password')) {
    return new ConfigError(
      `"${key}" is not allowed in ${source}: secrets must not go in a config file that gets committed`,
      'set TEMPORAL_API_KEY, or keep the key in a Temporal config profile (~/.config/temporalio/temporal.toml) and name it with "profile"',
    );
  }
  if (k.startsWith('tls') || k.includes('clientkey') || k.includes('clientcert') || k.includes('privatekey')) {
    return new ConfigError(
      `"${key}" is not allowed in ${source}: TLS keys and certificates do not belong in the project config`,
      'pass --tls-cert-path / --tls-key-path, set TEMPORAL_TLS_CLIENT_CERT_PATH / TEMPORAL_TLS_CLIENT_KEY_PATH, or use a Temporal config profile ("profile")',
    );
  }
  return undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

function suggestKey(key: string): string | undefined {
  const lower = key.toLowerCase();
  let best: { key: string; d: number } | undefined;
  for (const known of CONFIG_KEYS) {
    const d = known.toLowerCase() === lower || known.toLowerCase() === `${lower}s` ? 0 : editDistance(lower, known.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { key: known, d };
  }
  return best?.key;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** `dir` must be absolute: then this never consults the process's working directory. */
function resolveAgainst(dir: string, path: string): string {
  return resolve(dir, path);
}

/**
 * Validates a parsed config and resolves its relative paths against `dir`. `source` names the file
 * in messages. Throws ConfigError on an unknown key, a secret, or a value of the wrong type.
 */
export function parseProjectConfig(raw: unknown, source: string, dir: string): ProjectConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${source} must hold a JSON object, not ${describeType(raw)}`, `e.g. { "workflows": "src/workflows.ts", "deployment": "my-deployment" }`);
  }
  const config: ProjectConfig = { source, dir };
  const settings = config as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(raw)) {
    if (!isKnownKey(key)) {
      const refusal = secretRefusal(key, source);
      if (refusal) throw refusal;
      const suggestion = suggestKey(key);
      throw new ConfigError(
        `unknown key "${key}" in ${source}`,
        suggestion ? `did you mean "${suggestion}"? Known keys: ${CONFIG_KEYS.join(', ')}` : `known keys: ${CONFIG_KEYS.join(', ')}`,
      );
    }
    const field = FIELDS[key];
    if (field.kind === 'boolean') {
      if (typeof value !== 'boolean') throw new ConfigError(`"${key}" in ${source} must be true or false, not ${describeType(value)}`, `e.g. "${key}": true`);
      settings[key] = value;
    } else if (field.kind === 'string') {
      if (typeof value !== 'string' || value.trim() === '') {
        throw new ConfigError(`"${key}" in ${source} must be a non-empty string, not ${describeType(value)}`, `e.g. "${key}": ${JSON.stringify(example(key))}`);
      }
      settings[key] = field.path ? resolveAgainst(dir, value) : value;
    } else {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.trim() === '')) {
        const hint = typeof value === 'string' ? `write it as a list: "${key}": [${JSON.stringify(value)}]` : `e.g. "${key}": ${JSON.stringify([example(key)])}`;
        throw new ConfigError(`"${key}" in ${source} must be an array of non-empty strings, not ${Array.isArray(value) ? 'an array with other values' : describeType(value)}`, hint);
      }
      const strings = value as string[];
      settings[key] = field.path ? strings.map((p) => resolveAgainst(dir, p)) : [...strings];
    }
  }
  if (config.workflows && config.bundle) {
    throw new ConfigError(`${source} has both "workflows" and "bundle"`, 'keep one: the candidate is either workflow source or a prebuilt bundle');
  }
  return config;
}

function example(key: keyof ProjectSettings): string | boolean {
  const examples: Record<keyof ProjectSettings, string | boolean> = {
    workflows: 'src/workflows.ts',
    bundle: 'dist/workflow-bundle.js',
    payloadConverter: 'src/payload-converter.ts',
    failureConverter: 'src/failure-converter.ts',
    codec: 'src/codec.js',
    interceptors: 'src/interceptors.ts',
    deployment: 'my-deployment',
    taskQueue: 'my-task-queue',
    workflowTypes: 'MyWorkflow',
    query: "StartTime > '2026-01-01T00:00:00Z'",
    histories: 'histories/',
    longRunningTypes: 'MyPollingWorkflow',
    keepPinnedTypes: 'MyOrderWorkflow',
    address: 'localhost:7233',
    namespace: 'default',
    profile: 'prod',
    strict: true,
    failOnEmpty: true,
  };
  return examples[key];
}

/** The flags of `check` a config can fill in. */
export interface CheckConfigFlags {
  histories?: string[];
  deployment?: string;
  buildId?: string[];
  taskQueue?: string;
  workflowType?: string[];
  query?: string;
  workflows?: string;
  bundle?: string;
  payloadConverter?: string;
  failureConverter?: string;
  codec?: string;
  interceptor?: string[];
  address?: string;
  namespace?: string;
  profile?: string;
  /** Use the config's histories even though it (or the command line) names live selectors. */
  offline?: boolean;
  failOnEmpty?: boolean;
}

const isSet = (value: string | undefined): boolean => value !== undefined && value !== '';

/**
 * `flags` with every setting the command line left out taken from `config` (see the rules at the
 * top of this file). `env` decides whether a TEMPORAL_* variable outranks the config. Returns a copy.
 */
export function applyConfigToCheck<F extends CheckConfigFlags>(flags: F, config: ProjectConfig | undefined, env: Readonly<Record<string, string | undefined>> = {}): F {
  const cliLive = Boolean(flags.deployment || flags.taskQueue || flags.workflowType?.length || flags.query || flags.buildId?.length);
  if (flags.offline && cliLive) {
    throw new ConfigError('--offline cannot be combined with --deployment / --build-id / --task-queue / --workflow-type / --query', 'drop --offline to check live executions, or drop the live selectors');
  }
  if (flags.offline && !flags.histories && !config?.histories?.length) {
    throw new ConfigError(
      config ? `--offline uses the "histories" of ${config.source}, and it has none` : '--offline uses the "histories" of the project config, and none was found',
      `add "histories": ["histories/"] to ${config ? config.source : 'safe-deploy.config.json'}, or pass --histories PATH`,
    );
  }
  if (!config) return { ...flags };

  const out: F = { ...flags };
  // Selection.
  const configLive = Boolean(config.deployment || config.taskQueue || config.workflowTypes?.length || config.query);
  if (flags.histories) {
    // the command line's files; nothing of the config's selection applies
  } else if (flags.offline) {
    out.histories = config.histories;
  } else if (cliLive || configLive) {
    out.deployment ??= config.deployment;
    out.taskQueue ??= config.taskQueue;
    out.workflowType ??= config.workflowTypes;
    out.query ??= config.query;
  } else if (config.histories?.length) {
    out.histories = config.histories;
  }
  // Candidate: one thing, so a candidate on the command line replaces the config's entirely.
  if (!flags.workflows && !flags.bundle) {
    if (!config.workflows && !config.bundle) {
      throw new ConfigError(`no candidate given, and ${config.source} names none`, `pass --workflows PATH, or add "workflows": "src/workflows.ts" (or "bundle") to ${config.source}`);
    }
    out.workflows = config.workflows;
    out.bundle = config.bundle;
  }
  out.payloadConverter ??= config.payloadConverter;
  out.failureConverter ??= config.failureConverter;
  out.codec ??= config.codec;
  out.interceptor ??= config.interceptors;
  out.failOnEmpty ??= config.failOnEmpty;
  // Connection: flag > TEMPORAL_* variable > config > profile (resolveConnection does env > profile).
  if (out.address === undefined && !isSet(env.TEMPORAL_ADDRESS)) out.address = config.address;
  if (out.namespace === undefined && !isSet(env.TEMPORAL_NAMESPACE)) out.namespace = config.namespace;
  if (out.profile === undefined && !isSet(env.TEMPORAL_PROFILE)) out.profile = config.profile;
  return out;
}

/** The policy lists of plan / deploy: a list on the command line replaces the config's. */
export function policyTypesFromConfig(
  flags: { longRunningType?: string[]; keepPinnedType?: string[] },
  config: Pick<ProjectConfig, 'longRunningTypes' | 'keepPinnedTypes'> | undefined,
): { longRunningTypes: string[]; keepPinnedTypes: string[] } {
  return {
    longRunningTypes: flags.longRunningType ?? config?.longRunningTypes ?? [],
    keepPinnedTypes: flags.keepPinnedType ?? config?.keepPinnedTypes ?? [],
  };
}
