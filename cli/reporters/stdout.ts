/** The one sink for data output. Reporters call it; nothing else in the CLI writes to stdout. */
export function writeStdout(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

export function writeJson(value: unknown): void {
  writeStdout(JSON.stringify(value, null, 2));
}
