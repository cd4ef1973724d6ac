/**
 * actionlint (built from the Go module proxy by tools/build-actionlint.sh) on this repository's
 * workflows, and on throwaway workflows that use the action by local path, which is how actionlint
 * checks an action's metadata: the inputs and outputs a step may use come from its action.yml.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const ACTIONLINT = join(ROOT, '.tools', 'bin', 'actionlint');
// A cold build downloads actionlint's modules and compiles them: allow minutes, not seconds.
const BUILD_TIMEOUT = 300_000;

async function actionlint(cwd: string, files: string[]): Promise<{ exitCode: number; output: string }> {
  const r = await execa(ACTIONLINT, ['-no-color', ...files], { cwd, reject: false, all: true, timeout: 60_000 });
  return { exitCode: r.exitCode ?? -1, output: String(r.all) };
}

/** A folder laid out as a repository (actionlint finds the project root by its .git) holding a
 *  copy of action.yml at its root and one workflow that uses it as `./`. */
function projectUsingTheAction(steps: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-actionlint-'));
  mkdirSync(join(dir, '.git'));
  mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
  copyFileSync(join(ROOT, 'action.yml'), join(dir, 'action.yml'));
  writeFileSync(
    join(dir, '.github', 'workflows', 't.yml'),
    ['name: t', 'on: push', 'jobs:', '  t:', '    runs-on: ubuntu-latest', '    steps:', '      - uses: actions/checkout@v4', steps].join('\n') + '\n',
  );
  return dir;
}

describe('actionlint', { timeout: BUILD_TIMEOUT }, () => {
  beforeAll(async () => {
    const r = await execa('bash', [join(ROOT, 'tools', 'build-actionlint.sh')], { cwd: ROOT, reject: false, all: true, timeout: BUILD_TIMEOUT });
    expect(r.exitCode, String(r.all)).toBe(0);
  }, BUILD_TIMEOUT);

  it('finds nothing in .github/workflows/*.yml', async () => {
    const files = readdirSync(join(ROOT, '.github', 'workflows'))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => join('.github', 'workflows', f));
    expect(files).toContain(join('.github', 'workflows', 'deploy-example.yml'));
    const r = await actionlint(ROOT, files);
    expect(r.output).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it("accepts a workflow that uses the action with all of its inputs and outputs", async () => {
    const dir = projectUsingTheAction(`      - id: sd
        uses: ./
        with:
          command: deploy
          address: \${{ vars.TEMPORAL_ADDRESS }}
          namespace: \${{ vars.TEMPORAL_NAMESPACE }}
          api-key: \${{ secrets.TEMPORAL_API_KEY }}
          tls-cert-path: client.pem
          tls-key-path: client.key
          tls-ca-path: ca.pem
          tls-server-name: server.local
          profile: prod
          workflows: src/workflows.ts
          bundle: dist/bundle.js
          payload-converter: src/converter.ts
          codec: src/codec.ts
          deployment: research-agent
          build-id: \${{ github.sha }}
          rollout: helm upgrade --install agent ./chart --set buildId=\${{ github.sha }} --wait
          promote: true
          wait-for-current: false
          on-auto-upgrade-failure: protect
          long-running-types: |
            ResearchPollingWorkflow
            Watcher
          nudge-signal: wake_up
          histories: histories
          extra-args: --parallel 4
          working-directory: app
          setup-node: false
      - run: echo "$OUT"
        env:
          OUT: >-
            \${{ steps.sd.outputs.verdict }} \${{ steps.sd.outputs.total }} \${{ steps.sd.outputs.compatible }}
            \${{ steps.sd.outputs.incompatible }} \${{ steps.sd.outputs.errors }} \${{ steps.sd.outputs.upgraded }}
            \${{ steps.sd.outputs.protected }} \${{ steps.sd.outputs.nudged }} \${{ steps.sd.outputs.moved }}
            \${{ steps.sd.outputs.stragglers }}`);
    const r = await actionlint(dir, []);
    expect(r.output).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('rejects an input action.yml does not declare (so it really read action.yml)', async () => {
    const dir = projectUsingTheAction(`      - uses: ./
        with:
          command: check
          histories: histories
          api-token: nope`);
    const r = await actionlint(dir, []);
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('input "api-token" is not defined in action "safe-deploy"');
  });

  it('rejects an output action.yml does not declare', async () => {
    const dir = projectUsingTheAction(`      - id: sd
        uses: ./
      - run: echo "$V"
        env:
          V: \${{ steps.sd.outputs.bundle-hash }}`);
    const r = await actionlint(dir, []);
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('property "bundle-hash" is not defined');
  });
});
