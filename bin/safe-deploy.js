#!/usr/bin/env node
import { run } from '../dist/cli/main.js';

const code = await run(process.argv);
// Exit explicitly once stdout has drained: the SDK's native runtime can keep the event loop alive.
process.stdout.write('', () => process.exit(code));
