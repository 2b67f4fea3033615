/** What the registry needs of an environment. */
interface Registered {
  dispose(): Promise<void>;
  flushUsageSync(): void;
}

const live = new Set<Registered>();
let handlersInstalled = false;
let handlersWanted = true;

/** Disposes every environment `createEnv` made in this process that is not disposed yet. */
export async function cleanupAll(): Promise<void> {
  await Promise.allSettled([...live].map((environment) => environment.dispose()));
}

/**
 * Whether `createEnv` installs its process handlers (default true): SIGINT and SIGTERM dispose every
 * environment, then the process ends as the signal would have ended it (unless the application listens for
 * that signal too: then it decides; an application that handles signals itself should turn these off and
 * call `cleanupAll`); when the event loop empties with environments still
 * open (a script that forgot `dispose()`), they are disposed; at exit, usage not yet written is written.
 * Call before the first `createEnv`.
 */
export function setExitHandlers(enabled: boolean): void {
  handlersWanted = enabled;
}

export function register(environment: Registered): void {
  live.add(environment);
  if (handlersWanted && !handlersInstalled) installHandlers();
}

export function unregister(environment: Registered): void {
  live.delete(environment);
}

function installHandlers(): void {
  handlersInstalled = true;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const onSignal = () => {
      void cleanupAll().finally(() => {
        // Only ours is left (libraries' handlers go with their child processes): do what the signal would
        // have done without a handler. An application that listens too decides for itself.
        if (process.listenerCount(signal) === 1) {
          process.removeListener(signal, onSignal);
          process.kill(process.pid, signal);
        }
      });
    };
    process.on(signal, onSignal);
  }
  process.on("beforeExit", () => {
    if (live.size > 0) void cleanupAll();
  });
  process.on("exit", () => {
    for (const environment of live) environment.flushUsageSync();
  });
}
