import { createReadStream, createWriteStream } from "node:fs";
import { lstat, mkdir, readdir } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import type tar from "tar-stream";

type Warn = (code: string, message: string) => void;

/**
 * Adds a host folder to a tar stream under `name`: folders and files with their modes, in one stream
 * for one archive request. Symlinks and devices are skipped with a warning, as core's file-by-file copy does.
 */
export async function packFolder(pack: tar.Pack, hostPath: string, name: string, warn: Warn): Promise<void> {
  const info = await lstat(hostPath);
  if (info.isDirectory()) {
    await addEntry(pack, { name, type: "directory", mode: info.mode & 0o7777, mtime: info.mtime });
    for (const entry of await readdir(hostPath)) await packFolder(pack, join(hostPath, entry), `${name}/${entry}`, warn);
  } else if (info.isFile()) {
    await new Promise<void>((done, fail) => {
      const sink = pack.entry({ name, type: "file", size: info.size, mode: info.mode & 0o7777, mtime: info.mtime }, (error) =>
        error ? fail(error) : done(),
      );
      createReadStream(hostPath).on("error", fail).pipe(sink);
    });
  } else {
    warn("UPLOAD_SKIPPED", `upload skipped ${hostPath}: only files and folders are copied (not symlinks or devices)`);
  }
}

/** Adds an entry without content (a folder) and waits until it is written. */
export function addEntry(pack: tar.Pack, header: Partial<tar.Header> & Pick<tar.Header, "name">): Promise<void> {
  return new Promise((done, fail) => pack.entry(header, (error) => (error ? fail(error) : done())));
}

/**
 * Writes an archive of one folder (entries `<folder>/...`, as the engine sends them) to `hostPath`.
 * An entry that would land outside `hostPath` is refused, whatever the archive says.
 */
export async function extractFolder(extract: tar.Extract, hostPath: string, envPath: string, warn: Warn): Promise<void> {
  const root = resolve(hostPath);
  // No await before the loop: entries the extractor emits while nobody iterates are lost, and it stalls.
  // The archive's first entry is the folder itself, which creates `root`.
  for await (const entry of extract) {
    const inside = entry.header.name.split("/").slice(1).join("/");
    const target = resolve(root, inside);
    if (target !== root && !target.startsWith(`${root}${sep}`))
      throw new Error(`archive entry ${entry.header.name} points outside ${root}`);
    const mode = (entry.header.mode ?? 0o644) & 0o7777;
    if (entry.header.type === "directory") {
      await mkdir(target, { recursive: true, mode });
      entry.resume();
    } else if (entry.header.type === "file" || entry.header.type === "contiguous-file") {
      await mkdir(dirname(target), { recursive: true });
      await pipeline(entry, createWriteStream(target, { mode }));
    } else {
      warn(
        "DOWNLOAD_SKIPPED",
        `download skipped ${envPath}/${relative(root, target)}: only files and folders are copied (not symlinks or devices)`,
      );
      entry.resume();
    }
  }
}
