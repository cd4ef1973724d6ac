/**
 * Ctrl-C handling: the first SIGINT/SIGTERM aborts the shared signal so that a command can stop,
 * report what it finished and exit 130; a second one exits at once.
 */
const controller = new AbortController();
let installed = false;

export function interruptSignal(): AbortSignal {
  if (!installed) {
    installed = true;
    const onSignal = (name: NodeJS.Signals): void => {
      if (controller.signal.aborted) process.exit(130);
      controller.abort(new Error(`interrupted by ${name}`));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return controller.signal;
}
