import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hermesHome } from "@hermes/core";

/**
 * The image a persistent sandbox's files were snapshotted to, by app and sandbox name: one small JSON file
 * each under `$HERMES_HOME/modal-snapshots/`, replaced atomically, so environments of other names (and
 * other processes) never overwrite each other's record.
 */
export interface KeptSnapshot {
  imageId: string;
  /** The sandbox it was taken from, and when (ISO time). */
  sandboxId: string;
  takenAt: string;
}

function recordFile(app: string, name: string): string {
  return join(hermesHome(), "modal-snapshots", encodeURIComponent(app), `${encodeURIComponent(name)}.json`);
}

export async function readKeptSnapshot(app: string, name: string): Promise<KeptSnapshot | undefined> {
  try {
    const record = JSON.parse(await readFile(recordFile(app, name), "utf8")) as Partial<KeptSnapshot>;
    return typeof record.imageId === "string" ? (record as KeptSnapshot) : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

export async function saveKeptSnapshot(app: string, name: string, snapshot: KeptSnapshot): Promise<void> {
  const file = recordFile(app, name);
  await mkdir(join(file, ".."), { recursive: true });
  const partial = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(partial, `${JSON.stringify(snapshot)}\n`);
    await rename(partial, file);
  } finally {
    await rm(partial, { force: true });
  }
}

export async function forgetKeptSnapshot(app: string, name: string): Promise<void> {
  await rm(recordFile(app, name), { force: true });
}
