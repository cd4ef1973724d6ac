import type { OutputFormat } from '../log.js';
import { writeJson, writeStdout } from './stdout.js';

export const DEV_SERVER_SCHEMA_VERSION = 1;

export function reportDevServerReady(
  format: OutputFormat,
  server: { address: string; namespace: string; binary: string; dbFilename: string; dbKept: boolean },
): void {
  if (format === 'json') {
    writeJson({ schemaVersion: DEV_SERVER_SCHEMA_VERSION, ...server });
    return;
  }
  writeStdout(
    [
      `Temporal dev server ready at ${server.address} (namespace ${server.namespace})`,
      `  export TEMPORAL_ADDRESS=${server.address}`,
      server.dbKept
        ? `  data: ${server.dbFilename}`
        : '  data: in a temporary file, removed when the server stops (use --db-filename to keep it)',
      '  Ctrl-C to stop.',
    ].join('\n'),
  );
}
