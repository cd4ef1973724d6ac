/**
 * `safe-deploy init`: find the workflows and the Worker Deployment in the user's project, write
 * safe-deploy.config.json (never over an existing project config), offer the pre-push hook, and
 * give the GitHub Actions steps to paste.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installHook, locateHook, hookOwner } from '../config/git-hook.js';
import { findProjectConfig, readProjectConfig } from '../config/load.js';
import { fileExists, scanProject } from '../config/init-scan.js';
import { CONFIG_FILE_NAME } from '../core/config.js';
import { deploymentNames, findWorkflows, renderConfig, renderGitHubStep, type InitConfig } from '../core/init.js';
import { checkNeedsServer } from '../core/pre-push.js';
import { UsageError } from '../errors.js';

/** Asks the user; `undefined` under --yes (the default answer is taken). */
export interface Prompt {
  choose(question: string, options: string[]): Promise<string>;
  confirm(question: string, byDefault: boolean): Promise<boolean>;
}

export interface InitInput {
  cwd: string;
  prompt?: Prompt;
  workflows?: string;
  deployment?: string;
  hook: boolean;
  dryRun: boolean;
}

export type HookStep = 'installed' | 'updated' | 'would-install' | 'declined' | 'not-a-git-repository' | 'foreign-hook-kept';

export interface InitResult {
  configPath: string;
  /** written / would-write / kept (a project config already applies here) / declined. */
  configOutcome: 'written' | 'would-write' | 'kept' | 'declined';
  /** The config written (or that would be); for `kept`, the existing file's content is not repeated. */
  config?: InitConfig;
  configText?: string;
  workflowsFound: string[];
  deploymentsFound: string[];
  historyDirsFound: string[];
  hook: { step: HookStep; path?: string; command?: string };
  githubStep: string;
  notes: string[];
  dryRun: boolean;
}

export async function runInit(input: InitInput): Promise<InitResult> {
  const notes: string[] = [];
  const configPath = join(input.cwd, CONFIG_FILE_NAME);
  const existing = findProjectConfig(input.cwd);
  const scan = scanProject(input.cwd);
  const found = findWorkflows(scan.files, (p) => fileExists(input.cwd, p));
  const deployments = deploymentNames(scan.files);
  const base = { configPath, workflowsFound: found.workflows, deploymentsFound: deployments, historyDirsFound: scan.historyDirs, notes, dryRun: input.dryRun };

  let configOutcome: InitResult['configOutcome'];
  let config: InitConfig | undefined;
  let live: boolean;
  if (existing) {
    configOutcome = 'kept';
    live = checkNeedsServer(readProjectConfig(existing));
    notes.push(`a project config already applies here: ${existing.file}; init never overwrites one (edit it, or remove it and run init again)`);
  } else {
    config = { workflows: await chooseWorkflows(input, found.workflows) };
    const deployment = input.deployment ?? (await chooseDeployment(input, deployments, notes));
    if (deployment) config.deployment = deployment;
    const histories = scan.historyDirs[0];
    if (histories) config.histories = [`${histories}/`];
    else notes.push('no recorded histories found: record some with `temporal workflow show --workflow-id ID --output json > histories/ID.json` and add "histories": ["histories/"], so check works offline (and the hook when the server is down)');
    if (!deployment && !histories) notes.push('with neither "deployment" nor "histories", a bare `safe-deploy check` has nothing to select: add one of them');
    live = Boolean(config.deployment);
    const write = input.prompt ? await input.prompt.confirm(`Write ${CONFIG_FILE_NAME}?\n${renderConfig(config)}`, true) : true;
    configOutcome = !write ? 'declined' : input.dryRun ? 'would-write' : 'written';
    if (configOutcome === 'written') writeFileSync(configPath, renderConfig(config), { flag: 'wx' });
  }

  const hook = input.hook ? await offerHook(input) : { step: 'declined' as const };
  const workingDirectory = await gitPrefix(input.cwd);
  return {
    ...base,
    configOutcome,
    ...(config && { config, configText: renderConfig(config) }),
    hook,
    githubStep: renderGitHubStep({ workingDirectory: workingDirectory || undefined, live }),
  };
}

async function chooseWorkflows(input: InitInput, found: string[]): Promise<string> {
  if (input.workflows) {
    if (!existsSync(join(input.cwd, input.workflows))) throw new UsageError(`--workflows ${input.workflows}: no such file`, `give the path relative to ${input.cwd}`);
    return input.workflows;
  }
  const [only, ...others] = found;
  if (!only) {
    throw new UsageError(
      'no workflows file found: no worker passes a workflowsPath, and there is no workflows.ts or workflows/index.ts',
      'pass --workflows PATH (the file your Worker.create({ workflowsPath }) names)',
    );
  }
  if (others.length === 0) return only;
  if (!input.prompt) {
    throw new UsageError(`more than one workflows file found: ${found.join(', ')}`, 'pass --workflows PATH for the one your production worker runs');
  }
  return input.prompt.choose('Which workflows file does your production worker run?', found);
}

async function chooseDeployment(input: InitInput, found: string[], notes: string[]): Promise<string | undefined> {
  if (found.length === 1) return found[0];
  if (found.length === 0) return undefined;
  if (input.prompt) return input.prompt.choose('Which Worker Deployment should check look at?', found);
  notes.push(`more than one Worker Deployment name found (${found.join(', ')}): none written; pass --deployment NAME`);
  return undefined;
}

async function offerHook(input: InitInput): Promise<InitResult['hook']> {
  let path: string;
  try {
    path = (await locateHook(input.cwd)).path;
  } catch {
    return { step: 'not-a-git-repository' };
  }
  if (hookOwner(path) === 'foreign') return { step: 'foreign-hook-kept', path };
  if (input.prompt && !(await input.prompt.confirm('Install the git pre-push hook (it checks each pushed commit before it leaves)?', true))) return { step: 'declined', path };
  const r = await installHook({ cwd: input.cwd, dryRun: input.dryRun });
  return { step: input.dryRun ? 'would-install' : r.outcome === 'updated' ? 'updated' : 'installed', path: r.path, command: r.command };
}

async function gitPrefix(cwd: string): Promise<string> {
  try {
    const { workingTreeLocation } = await import('../config/pushed-tree.js');
    return (await workingTreeLocation(cwd)).prefix.replace(/\/$/, '');
  } catch {
    return '';
  }
}
