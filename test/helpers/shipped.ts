/**
 * safe-deploy as an installed package has it: only the files `npm pack` ships (package.json
 * "files"), in a folder of their own, with this checkout's node_modules for its dependencies.
 * No tools/, no .tools/: what `npm install` of the package leaves in node_modules/safe-deploy.
 */
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

const ROOT = join(import.meta.dirname, '..', '..');

export async function shippedFiles(): Promise<string[]> {
  const { stdout } = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
  const [pack] = JSON.parse(stdout) as { files: { path: string }[] }[];
  return (pack?.files ?? []).map((f) => f.path);
}

/** A copy of the shipped files (the build in dist/ must be current: `npm run build`). Returns its folder. */
export async function shippedCopy(): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'safe-deploy-shipped-')), 'safe-deploy');
  for (const file of await shippedFiles()) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}
