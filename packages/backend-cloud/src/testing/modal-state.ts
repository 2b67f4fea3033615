import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FakeCommand } from "./fake-command.js";
import type { LocalSandbox } from "./local-sandbox.js";

/** How a sandbox ended, as Modal's GenericResult says it (3: terminated, 4: timed out). */
export interface SandboxResult {
  status: number;
  exitcode: number;
  exception: string;
}

export interface FakeModalExec {
  command: FakeCommand;
  /** Stdin bytes taken so far: a write re-sent from an earlier offset is taken once. */
  stdinWritten: number;
  stdinClosed: boolean;
}

export interface FakeModalSandbox {
  id: string;
  taskId: string;
  appId: string;
  name: string | undefined;
  tags: Record<string, string>;
  imageId: string;
  box: LocalSandbox;
  env: Record<string, string>;
  workdir: string;
  gpu: string | undefined;
  /** What the definition asked for: CPU in thousandths of a core, memory in MiB, the lifetime in seconds. */
  milliCpu: number;
  memoryMb: number;
  timeoutSecs: number;
  createdAt: number;
  execs: Map<string, FakeModalExec>;
  result: SandboxResult | undefined;
  /** Resolves once `result` is set. */
  ended: Promise<void>;
  end(result: SandboxResult): Promise<void>;
}

const base62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Everything the fake's two services share. */
export class ModalFakeState {
  readonly apps = new Map<string, string>();
  /** Image ids; a snapshot's image keeps the directory it was copied to. */
  readonly images = new Map<string, { snapshotDir?: string }>();
  readonly sandboxes = new Map<string, FakeModalSandbox>();
  /** Named secrets the fake was started with, and ephemeral ones the SDK made, by id. */
  readonly secrets = new Map<string, { name?: string; env: Record<string, string> }>();
  readonly routerJwt = `router-${randomUUID()}`;
  routerUrl = "";
  /** Running sandboxes at most (a workspace quota); more are refused RESOURCE_EXHAUSTED. */
  maxSandboxes = Number.POSITIVE_INFINITY;
  private snapshotRoot: string | undefined;

  /** A V1 id (`sb-` and 22 base62 characters: the SDK takes the V1 calls for it) or a V2 one. */
  newSandboxId(v1: boolean): string {
    if (!v1) return `sb-v2-${randomUUID().replaceAll("-", "")}`;
    return `sb-${[...randomBytes(22)].map((byte) => base62[byte % 62]).join("")}`;
  }

  async snapshotDir(): Promise<string> {
    this.snapshotRoot ??= await mkdtemp(join(tmpdir(), "hermes-fake-modal-snapshots-"));
    return join(this.snapshotRoot, randomUUID());
  }

  /** The sandbox an exec's task id names, or undefined. */
  byTask(taskId: string): FakeModalSandbox | undefined {
    for (const sandbox of this.sandboxes.values()) if (sandbox.taskId === taskId) return sandbox;
    return undefined;
  }

  async close(): Promise<void> {
    // Ended first, so no sandbox's own timeout fires after the close.
    await Promise.all(
      [...this.sandboxes.values()].map(async (sandbox) => {
        await sandbox.end({ status: 3, exitcode: 137, exception: "the fake was closed" });
        await sandbox.box.dispose();
      }),
    );
    this.sandboxes.clear();
    if (this.snapshotRoot) await rm(this.snapshotRoot, { recursive: true, force: true });
  }
}
