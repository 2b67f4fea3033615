import { ownerVariable } from "../lifecycle/owner-process.js";
import { ControlShell } from "../session/control-shell.js";
import { newId } from "../session/new-id.js";
import { closeInheritedDescriptors } from "../session/session-script.js";
import { processTagVariable } from "../session/signal-tagged-program.js";
import type { BackendInstance, FilePrimitives, KillOptions, ProcessSelector, ProcessSpec } from "../types/backend.js";
import { ShellFiles } from "./shell-files.js";
import { type TargetProcess, targetProcess } from "./target-process.js";

/** A backend instance with every member present: the backend's own, else core's default built on `start`. */
export interface Target {
  readonly defaultCwd: string;
  readonly bashPath: string;
  /** Core's own first step (closing inherited descriptors), then the backend's. */
  readonly shellPrelude: string;
  /** See `BackendInstance.nudgeAcks`. */
  readonly nudgeAcks: boolean;
  /** See `BackendInstance.outputInOrder`. */
  readonly outputInOrder: boolean;
  /** Starts a process tagged with HERMES_PROCESS_TAG and the owner's HERMES_OWNER. */
  start(spec: ProcessSpec): Promise<TargetProcess>;
  killTagged(selector: ProcessSelector, options: KillOptions): Promise<number>;
  readonly files: FilePrimitives;
  /** Resolves once core's control shell runs (it starts alongside the first session shell). */
  readonly ready: Promise<void>;
  /** Ends core's control shell, then the backend's resources. */
  dispose(): Promise<void>;
}

export interface TargetContext {
  backendName: string;
  /** The `hermes.owner` label every process carries, so a reaper finds what a crashed owner left. */
  owner: string;
}

const fileOperations = ["read", "write", "stat", "list", "remove", "mkdir", "upload", "download"] as const;

/**
 * Fills in what the backend left out. A control shell (a bash started once, untagged) runs core's kill
 * and signal programs when the backend has no native kill; it is started now, before any command (the
 * environment waits for `ready`), so it exists even when a fork bomb has taken every PID a limit allows.
 */
export async function deriveTarget(instance: BackendInstance, context: TargetContext): Promise<Target> {
  const bashPath = instance.bashPath ?? "bash";
  const start = async (spec: ProcessSpec): Promise<TargetProcess> => {
    const tag = newId();
    const raw = await instance.start({ ...spec, env: { ...spec.env, [processTagVariable]: tag, [ownerVariable]: context.owner } });
    return targetProcess(raw, context.backendName, (signal) => control.signalTagged(tag, signal));
  };
  const control = new ControlShell(() => start({ argv: [bashPath, "--noprofile", "--norc", "-s"], stdin: "pipe" }));
  try {
    const defaultCwd = instance.defaultCwd ?? ((await control.run('builtin printf %s "${HOME:-/}"')) || "/");
    const ready = instance.killTagged ? Promise.resolve() : control.warm();
    ready.catch(() => {});
    const shellFiles = new ShellFiles(start, bashPath);
    return {
      defaultCwd,
      bashPath,
      shellPrelude: [closeInheritedDescriptors, instance.shellPrelude].filter(Boolean).join("; "),
      start,
      nudgeAcks: instance.nudgeAcks ?? false,
      outputInOrder: instance.outputInOrder ?? false,
      ready,
      killTagged: instance.killTagged ? instance.killTagged.bind(instance) : (selector, options) => control.killTagged(selector, options),
      files: mergeFiles(instance.files, shellFiles),
      dispose: async () => {
        control.close();
        await instance.dispose();
      },
    };
  } catch (error) {
    control.close();
    throw error;
  }
}

/** The backend's native file primitives, each one absent taken from the shell programs. */
function mergeFiles(native: Partial<FilePrimitives> | undefined, shell: FilePrimitives): FilePrimitives {
  const merged: Partial<Record<(typeof fileOperations)[number], unknown>> = {};
  for (const operation of fileOperations) {
    const own = native?.[operation];
    merged[operation] = own ? own.bind(native) : shell[operation]?.bind(shell);
  }
  return merged as FilePrimitives;
}
