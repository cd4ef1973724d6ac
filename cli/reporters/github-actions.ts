/**
 * GitHub Actions plumbing any command can use: the job summary, step outputs and annotations.
 * Files are named by the runner's environment, passed in so tests can point them at temp files.
 * Annotations are returned, not printed: GitHub reads workflow commands from stdout, and only the
 * reporters write there (via writeStdout).
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';

export type Env = Readonly<Record<string, string | undefined>>;

export function isGitHubActions(env: Env = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/** Appends to the job summary (never overwrites: earlier steps' summaries share the file). */
export function appendStepSummary(markdown: string, env: Env = process.env): boolean {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  appendFileSync(file, markdown.endsWith('\n') ? markdown : markdown + '\n', 'utf8');
  return true;
}

/** Output names end at `=` or `<<` and at a newline, so those cannot be part of one. */
const OUTPUT_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** One output in GITHUB_OUTPUT's syntax: `name=value`, or a heredoc when the value spans lines. */
export function formatOutput(name: string, value: string | number | boolean, newDelimiter: () => string = () => `ghadelimiter_${randomUUID()}`): string {
  if (!OUTPUT_NAME.test(name)) throw new Error(`invalid GitHub output name: ${JSON.stringify(name)}`);
  const text = String(value);
  if (!/[\r\n]/.test(text)) return `${name}=${text}\n`;
  // A random delimiter, so no value (from a workflow ID, say) can end the heredoc early and set
  // outputs of its own; checked anyway, as GitHub's own toolkit does.
  const delimiter = newDelimiter();
  if (text.includes(delimiter) || name.includes(delimiter)) throw new Error('GitHub output delimiter occurs in the value');
  return `${name}<<${delimiter}\n${text}\n${delimiter}\n`;
}

/** Appends step outputs to GITHUB_OUTPUT (when set); returns whether it wrote them. */
export function writeOutputs(outputs: Readonly<Record<string, string | number | boolean>>, env: Env = process.env): boolean {
  const file = env.GITHUB_OUTPUT;
  if (!file) return false;
  const text = Object.entries(outputs)
    .map(([name, value]) => formatOutput(name, value))
    .join('');
  appendFileSync(file, text, 'utf8');
  return true;
}

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface AnnotationProps {
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
}

/** GitHub's escaping for a workflow command's message. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GitHub's escaping for a workflow command's property: as the message, plus `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error title=…,file=…::message`: one line for stdout that GitHub turns into an annotation. */
export function annotation(level: AnnotationLevel, message: string, props: AnnotationProps = {}): string {
  const ordered: [string, string | number | undefined][] = [
    ['title', props.title],
    ['file', props.file],
    ['line', props.line],
    ['endLine', props.endLine],
    ['col', props.col],
    ['endColumn', props.endColumn],
  ];
  const properties = ordered
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${level}${properties ? ' ' + properties : ''}::${escapeData(message)}`;
}
