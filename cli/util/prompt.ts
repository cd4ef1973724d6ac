/** Questions on the terminal (stderr, so stdout stays data) for `safe-deploy init`. */
import { createInterface } from 'node:readline/promises';
import type { Prompt } from '../pipeline/init.js';

export function terminalPrompt(): Prompt & { close(): void } {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return {
    async choose(question, options) {
      const list = options.map((o, i) => `  ${i + 1}) ${o}`).join('\n');
      for (;;) {
        const answer = (await rl.question(`${question}\n${list}\nnumber [1]: `)).trim();
        const n = answer === '' ? 1 : Number(answer);
        const chosen = Number.isInteger(n) ? options[n - 1] : undefined;
        if (chosen) return chosen;
      }
    },
    async confirm(question, byDefault) {
      const answer = (await rl.question(`${question} ${byDefault ? '[Y/n]' : '[y/N]'} `)).trim().toLowerCase();
      return answer === '' ? byDefault : answer.startsWith('y');
    },
    close: () => rl.close(),
  };
}
