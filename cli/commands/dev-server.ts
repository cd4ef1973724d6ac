import type { Command } from 'commander';
import { InterruptedError } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import { createLog } from '../log.js';
import { outputOption, parsePort, type CommandContext } from './common.js';

interface DevServerFlags {
  port?: number;
  dbFilename?: string;
  namespace: string;
  logFile?: string;
  output: 'text' | 'json';
}

export function registerDevServer(program: Command, _ctx: CommandContext): void {
  program
    .command('dev-server')
    .summary('start the embedded local Temporal server on 127.0.0.1')
    .description(
      'Start the official Temporal dev server (server >= 1.31) on 127.0.0.1, headless, with dynamic config that makes version drainage visible in seconds and allows concurrent batch operations. Builds the Temporal CLI from the Go module proxy on first use. Runs until Ctrl-C.',
    )
    .option('--port <n>', 'frontend gRPC port (default: a free port)', parsePort)
    .option('--db-filename <file>', 'persist state in this SQLite file (default: a temporary file)')
    .option('--namespace <ns>', 'namespace to create', 'default')
    .option('--log-file <file>', 'write the server log here')
    .addOption(outputOption())
    .addHelpText('after', '\nExample:\n  safe-deploy dev-server --port 7233 --db-filename ./temporal.db\n')
    .action(async (flags: DevServerFlags) => {
      const log = await createLog({ output: flags.output });
      const { startDevServer } = await import('../temporal/dev-server.js');
      const { reportDevServerReady } = await import('../reporters/dev-server.js');
      // Taken before the start, so that Ctrl-C during it still stops the server and removes its data.
      const signal = interruptSignal();
      const spinner = log.progress('starting the Temporal dev server...');
      const server = await startDevServer({
        port: flags.port,
        dbFilename: flags.dbFilename,
        namespace: flags.namespace,
        logFile: flags.logFile,
      }).catch((err: unknown) => {
        spinner.fail('Temporal dev server did not start');
        throw err;
      });
      spinner.stop();
      if (signal.aborted) {
        await server.stop();
        throw new InterruptedError('interrupted while the Temporal dev server started; it has been stopped');
      }
      reportDevServerReady(flags.output, {
        address: server.address,
        namespace: server.namespace,
        binary: server.binary,
        dbFilename: server.dbFilename,
        dbKept: flags.dbFilename !== undefined,
      });
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve(), { once: true });
        void server.exited.then(() => resolve());
      });
      log.info('stopping the Temporal dev server...');
      await server.stop();
    });
}
