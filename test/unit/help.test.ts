/** Every command explains itself: a one-line summary, an example with long flags, helpful errors. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const COMMANDS = ['check', 'plan', 'apply', 'deploy', 'watch', 'rollback', 'overrides', 'nudge', 'status', 'dev-server', 'hook'];

describe('help', () => {
  it('lists every command with a one-line summary', async () => {
    const r = await runCli(['--help']);
    expect(r.exitCode).toBe(0);
    for (const c of COMMANDS) expect(r.stdout, c).toMatch(new RegExp(`^  ${c}\\b.*\\S{3,}`, 'm'));
  });

  it.each(COMMANDS)('%s --help has an example with long flags', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.exitCode).toBe(0);
    const example = r.stdout.split(/Examples?:/)[1] ?? '';
    expect(example).toMatch(new RegExp(`safe-deploy ${command}`));
    if (command !== 'hook') expect(example).toMatch(/ --[a-z-]+/);
  });

  it.each(['check', 'plan', 'apply', 'deploy'])('%s --help lists the bundle cache flags', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\s+--bundle-cache <dir>\s+\S/m);
    expect(r.stdout).toMatch(/^\s+--no-bundle-cache\s+\S/m);
  });

  it.each([
    [['check', '--histories', 'h', '--workflow', 'w.ts'], /unknown option '--workflow'[\s\S]*Did you mean --workflows\?/],
    [['plan', '--workflows', 'w.ts'], /required option '--deployment <name>' not specified/],
    [['deploy', '--deployment', 'd', '--workflows', 'w.ts'], /required option '--candidate-build-id <id>' not specified/],
    [['chek'], /unknown command 'chek'[\s\S]*Did you mean check\?/],
  ])('%j says what to type instead, and exits 2', async (args, message) => {
    const r = await runCli(args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/--help/);
  });
});
