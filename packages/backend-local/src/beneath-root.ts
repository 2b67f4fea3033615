import { constants, existsSync } from "node:fs";
import { type FileHandle, mkdir, open, rm } from "node:fs/promises";
import { basename, dirname, relative, sep } from "node:path";

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_WRONLY, O_CREAT, O_TRUNC } = constants;

/** Whether this machine can open paths relative to a held directory (Linux's /proc/self/fd). */
export const canWalkBeneath = existsSync("/proc/self/fd");

/**
 * Opens the directory `path` (already checked to be inside `root`, links resolved) one component at a time
 * from `root` without following any symlink: if something swapped a component for a link since the check,
 * this fails instead of landing outside. With `create`, missing directories are made on the way.
 */
async function openDirectoryBeneath(root: string, path: string, create: boolean): Promise<FileHandle> {
  let directory = await open(root, O_RDONLY | O_DIRECTORY);
  try {
    for (const part of relative(root, path).split(sep).filter(Boolean)) {
      const child = `/proc/self/fd/${directory.fd}/${part}`;
      let next: FileHandle;
      try {
        next = await open(child, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      } catch (error) {
        if (!create || (error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        await mkdir(child).catch((made: NodeJS.ErrnoException) => {
          if (made.code !== "EEXIST") throw made;
        });
        next = await open(child, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      }
      await directory.close();
      directory = next;
    }
    return directory;
  } catch (error) {
    await directory.close();
    throw error;
  }
}

/** Writes `data` to `path` beneath `root`, creating parents, following no link on the way or at the end. */
export async function writeBeneath(root: string, path: string, data: Uint8Array, mode: number | undefined): Promise<void> {
  const parent = await openDirectoryBeneath(root, dirname(path), true);
  try {
    const file = await open(`/proc/self/fd/${parent.fd}/${basename(path)}`, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode ?? 0o666);
    try {
      await file.writeFile(data);
      if (mode !== undefined) await file.chmod(mode);
    } finally {
      await file.close();
    }
  } finally {
    await parent.close();
  }
}

/** `mkdir` of `path` beneath `root` (with `recursive`, its missing parents too), following no link. */
export async function mkdirBeneath(root: string, path: string, recursive: boolean): Promise<void> {
  const parent = await openDirectoryBeneath(root, dirname(path), recursive);
  try {
    await mkdir(`/proc/self/fd/${parent.fd}/${basename(path)}`).catch((error: NodeJS.ErrnoException) => {
      if (!(recursive && error.code === "EEXIST")) throw error;
    });
  } finally {
    await parent.close();
  }
}

/** Removes `path` beneath `root` through its parent held open: a swapped parent cannot redirect it. */
export async function removeBeneath(root: string, path: string, recursive: boolean): Promise<void> {
  const parent = await openDirectoryBeneath(root, dirname(path), false);
  try {
    await rm(`/proc/self/fd/${parent.fd}/${basename(path)}`, { recursive });
  } finally {
    await parent.close();
  }
}
