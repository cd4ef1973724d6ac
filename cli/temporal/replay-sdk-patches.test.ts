/**
 * The replay thread's SDK patches, applied to the SDK safe-deploy installs (vitest runs each test
 * file in a process of its own, so the patched prototypes stay in this file). Each must give what
 * the SDK's own method gives, and leave an SDK it does not recognise as it is.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withoutDroppedLogLines, withoutEmptyCodecPass } from './replay-sdk-patches.js';
import { resolveReplaySdk } from './sdk.js';

const { modules } = resolveReplaySdk({});
const require = createRequire(modules.worker);
interface Runner {
  decodeActivation(a: unknown): Promise<{ toJSON(): unknown }>;
  encodeCompletion(c: unknown): Promise<{ toJSON(): unknown }>;
}
type RunnerClass = { new (codecs: unknown[], context: unknown): Runner; prototype: Runner };
const { WorkflowCodecRunner } = require('./workflow-codec-runner.js') as { WorkflowCodecRunner: RunnerClass };
const context = { type: 'workflow', namespace: 'default', workflowId: 'wf-1' };
const payload = () => ({ metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('"hello"') });
const activation = () => ({
  runId: 'run-1',
  jobs: [{ initializeWorkflow: { workflowId: 'wf-1', workflowType: 'orders', arguments: [payload()] } }, { signalWorkflow: { signalName: 's', input: [payload()] } }],
});
const completion = () => ({
  runId: 'run-1',
  successful: { commands: [{ scheduleActivity: { seq: 1, activityId: '1', activityType: 'charge', arguments: [payload()] } }] },
});
/** A codec that marks every payload it encodes or decodes, to show the codecs still run. */
const marking = {
  encode: async (ps: { data?: Uint8Array }[]) => ps.map((p) => ({ ...p, data: new TextEncoder().encode('encoded') })),
  decode: async (ps: { data?: Uint8Array }[]) => ps.map((p) => ({ ...p, data: new TextEncoder().encode('decoded') })),
};

describe('withoutEmptyCodecPass', () => {
  const original = { decode: WorkflowCodecRunner.prototype.decodeActivation, encode: WorkflowCodecRunner.prototype.encodeCompletion };
  const patched = withoutEmptyCodecPass(modules);

  it("recognises this SDK's codec runner", () => {
    expect(patched).toBe(true);
    expect(WorkflowCodecRunner.prototype.decodeActivation).not.toBe(original.decode);
  });

  it("with no codecs, gives what the SDK's own pass gives", async () => {
    const runner = new WorkflowCodecRunner([], context);
    expect((await runner.decodeActivation(activation())).toJSON()).toEqual((await original.decode.call(runner, activation())).toJSON());
    expect((await runner.encodeCompletion(completion())).toJSON()).toEqual((await original.encode.call(runner, completion())).toJSON());
  });

  it('with codecs, still runs them', async () => {
    const runner = new WorkflowCodecRunner([marking], context);
    const decoded = (await runner.decodeActivation(activation())).toJSON() as { jobs: { signalWorkflow?: { input: { data: string }[] } }[] };
    expect(decoded.jobs[1]?.signalWorkflow?.input[0]?.data).toBe(Buffer.from('decoded').toString('base64'));
    const encoded = (await runner.encodeCompletion(completion())).toJSON() as { successful: { commands: { scheduleActivity: { arguments: { data: string }[] } }[] } };
    expect(encoded.successful.commands[0]?.scheduleActivity.arguments[0]?.data).toBe(Buffer.from('encoded').toString('base64'));
  });

  it('leaves a codec runner that reads otherwise as it is', () => {
    const lib = join(mkdtempSync(join(tmpdir(), 'sdk-layout-')), 'lib');
    mkdirSync(lib);
    const runner = 'class WorkflowCodecRunner { async decodeActivation(a) { return a; } async encodeCompletion(c) { return c; } }';
    writeFileSync(join(lib, 'workflow-codec-runner.js'), `${runner}\nexports.WorkflowCodecRunner = WorkflowCodecRunner;\n`);
    writeFileSync(join(lib, 'index.js'), '');
    const other = { ...modules, worker: join(lib, 'index.js') };
    expect(withoutEmptyCodecPass(other)).toBe(false);
    const { WorkflowCodecRunner: untouched } = createRequire(other.worker)('./workflow-codec-runner.js') as { WorkflowCodecRunner: RunnerClass };
    expect(String(untouched.prototype.decodeActivation)).toBe('async decodeActivation(a) { return a; }');
  });
});

describe('withoutDroppedLogLines', () => {
  type Logger = Record<'trace' | 'debug' | 'info' | 'error', (message: string) => void>;
  const { LoggerWithComposedMetadata } = require('@temporalio/common/lib/logger') as {
    LoggerWithComposedMetadata: { compose(parent: Logger, meta: () => Record<string, unknown>): Logger };
  };
  const patched = withoutDroppedLogLines(modules);

  it('skips the metadata of trace and debug lines, and nothing else', () => {
    expect(patched).toBe(true);
    const lines: string[] = [];
    let metadataCalls = 0;
    const parent: Logger = {
      trace: (m) => lines.push(`TRACE ${m}`),
      debug: (m) => lines.push(`DEBUG ${m}`),
      info: (m) => lines.push(`INFO ${m}`),
      error: (m) => lines.push(`ERROR ${m}`),
    };
    const logger = LoggerWithComposedMetadata.compose(parent, () => ({ call: ++metadataCalls }));
    logger.trace('t');
    logger.debug('d');
    expect(metadataCalls).toBe(0);
    logger.info('i');
    logger.error('e');
    expect(metadataCalls).toBe(2);
    expect(lines).toEqual(['INFO i', 'ERROR e']);
  });
});
