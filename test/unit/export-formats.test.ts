/**
 * Histories as the UI's API and the server's HTTP API return them (recorded from a real dev server:
 * test/fixtures/export-formats/README.md): the `{"history": ...}` wrapper loads and replays; the
 * HTTP API's default payload shorthand is refused with the download to use.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyFacts } from '../../cli/core/history-facts.js';
import { InputError } from '../../cli/errors.js';
import { parseHistoryJson } from '../../cli/temporal/history-json.js';
import { runCli, sampleWorkflows } from '../helpers/cli.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'export-formats');
const file = (name: string) => join(dir, name);
const load = (name: string) => parseHistoryJson(readFileSync(file(name), 'utf8'), name);

describe('export formats of the UI API and the HTTP API', () => {
  it.each(['ui-api-history.json', 'http-api-history.json'])('%s: the {"history": ...} wrapper loads, with its facts', (name) => {
    const facts = historyFacts(load(name));
    expect(facts).toMatchObject({ workflowType: 'ResearchWorkflow', workflowId: 'http-api-paused', version: 'http-api:v1', lastEventId: '28' });
  });

  it('the UI API and the HTTP API give the same history', () => {
    expect(JSON.parse(JSON.stringify(load('ui-api-history.json')))).toEqual(JSON.parse(JSON.stringify(load('http-api-history.json'))));
  });

  it('the HTTP API shorthand: "not encoded", with the download to use', () => {
    let error: unknown;
    try {
      load('http-api-shorthand.json');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(
      "http-api-shorthand.json: payload at history.events[0].workflowExecutionStartedEventAttributes.input is not encoded (this is the HTTP API's payload shorthand, which cannot be replayed)",
    );
    expect((error as InputError).hint).toContain('?noPayloadShorthand=true');
  });

  it('check --histories replays both wrapped files: compatible with v2, nondeterministic on v3', async () => {
    const files = [file('ui-api-history.json'), file('http-api-history.json')];
    const v2 = await runCli(['check', '--histories', ...files, '--workflows', sampleWorkflows('v2'), '--output', 'json']);
    expect(v2.exitCode, v2.stderr).toBe(0);
    expect(JSON.parse(v2.stdout)).toMatchObject({ verdict: 'passed', summary: { total: 2, compatible: 2 } });
    const v3 = await runCli(['check', '--histories', ...files, '--workflows', sampleWorkflows('v3'), '--output', 'json']);
    expect(v3.exitCode).toBe(1);
    expect((JSON.parse(v3.stdout) as { results: { verdict: string }[] }).results.map((r) => r.verdict)).toEqual(['nondeterministic', 'nondeterministic']);
  });

  it('check --histories on the shorthand file: exit 2, the message and the hint on stderr', async () => {
    const r = await runCli(['check', '--histories', file('http-api-shorthand.json'), '--workflows', sampleWorkflows('v2')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("is not encoded (this is the HTTP API's payload shorthand, which cannot be replayed)");
    expect(r.stderr).toContain('hint: download it again with `?noPayloadShorthand=true`');
  });
});
