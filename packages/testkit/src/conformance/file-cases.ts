import { mkdir as mkdirHost, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileSystemError } from "@hermes/core";
import { describe, expect } from "vitest";
import type { SuiteContext } from "./suite-context.js";

/** The files API: bytes and text, missing paths, directories, relative paths, folder transfer. */
export function fileCases(suite: SuiteContext): void {
  describe("files", () => {
    const env = suite.useSharedEnvironment();
    const files = () => env().files;

    suite.test("writes and reads bytes exactly, and text", ["fileAccess"], async () => {
      const bytes = Uint8Array.from({ length: 300 }, (_, index) => (index * 7) % 256);
      await files().write("data/blob.bin", bytes);
      expect(Buffer.from((await files().read("data/blob.bin")) ?? [])).toEqual(Buffer.from(bytes));
      await files().write("data/note.txt", "héllo\n");
      expect(await files().readText("data/note.txt")).toBe("héllo\n");
      await files().write("data/note.txt", "short");
      expect(await files().readText("data/note.txt")).toBe("short");
    });

    suite.test("gives null for a missing path from read, readText and stat", ["fileAccess"], async () => {
      expect(await files().read("missing/nothing.bin")).toBeNull();
      expect(await files().readText("nothing.txt")).toBeNull();
      expect(await files().stat("missing")).toBeNull();
    });

    suite.test("stats, lists, makes and removes directories", ["fileAccess"], async () => {
      await files().mkdir("tree/a/b", { recursive: true });
      await files().write("tree/a/file.txt", "12345", { mode: 0o640 });
      const stat = await files().stat("tree/a/file.txt");
      expect(stat).toMatchObject({ type: "file", size: 5, mode: 0o640 });
      expect(stat?.path.endsWith("/tree/a/file.txt")).toBe(true);
      expect(stat?.mtime).toBeInstanceOf(Date);
      expect((await files().stat("tree/a"))?.type).toBe("directory");
      const entries = await files().list("tree/a");
      expect(entries.map((entry) => [entry.name, entry.type])).toEqual([
        ["b", "directory"],
        ["file.txt", "file"],
      ]);
      await expect(files().mkdir("tree/a")).rejects.toSatisfy(
        (error) => FileSystemError.isInstance(error) && error.reason === "AlreadyExists",
      );
      await expect(files().remove("tree")).rejects.toSatisfy((error) => FileSystemError.isInstance(error) && error.reason === "NotEmpty");
      await files().remove("tree", { recursive: true });
      expect(await files().stat("tree")).toBeNull();
    });

    suite.test("throws typed errors for missing paths and wrong types", ["fileAccess"], async () => {
      await expect(files().list("no-such-dir")).rejects.toSatisfy(
        (error) => FileSystemError.isInstance(error) && error.reason === "NotFound",
      );
      await expect(files().remove("no-such-file")).rejects.toSatisfy(
        (error) => FileSystemError.isInstance(error) && error.reason === "NotFound",
      );
      await files().write("plain.txt", "x");
      await expect(files().list("plain.txt")).rejects.toSatisfy(
        (error) => FileSystemError.isInstance(error) && error.reason === "NotADirectory",
      );
      await files().mkdir("a-dir", { recursive: true });
      await expect(files().read("a-dir")).rejects.toSatisfy(
        (error) => FileSystemError.isInstance(error) && error.reason === "IsADirectory",
      );
    });

    suite.test("resolves relative paths against the session's working directory", ["fileAccess", "persistentSession"], async () => {
      await env().exec("mkdir -p relative/here && cd relative/here");
      await files().write("made-by-files.txt", "from files");
      expect((await env().exec("cat made-by-files.txt")).stdout).toBe("from files");
      await env().exec("echo from-shell > made-by-shell.txt");
      expect(await files().readText("made-by-shell.txt")).toBe("from-shell\n");
      expect(await files().readText("../here/made-by-shell.txt")).toBe("from-shell\n");
      await env().exec("cd ../..");
    });

    suite.test("uploads and downloads whole folders", ["fileAccess"], async () => {
      const host = await mkdtemp(join(tmpdir(), "hermes-conformance-"));
      try {
        await mkdirHost(join(host, "in", "nested"), { recursive: true });
        await writeFile(join(host, "in", "top.txt"), "top");
        await writeFile(join(host, "in", "nested", "deep.bin"), Buffer.from([0, 1, 2, 255]));
        await files().upload(join(host, "in"), "uploaded");
        expect(await files().readText("uploaded/top.txt")).toBe("top");
        expect(Buffer.from((await files().read("uploaded/nested/deep.bin")) ?? [])).toEqual(Buffer.from([0, 1, 2, 255]));
        await files().download("uploaded", join(host, "out"));
        expect(await readFile(join(host, "out", "nested", "deep.bin"))).toEqual(Buffer.from([0, 1, 2, 255]));
        expect(await readFile(join(host, "out", "top.txt"), "utf8")).toBe("top");
        await files().upload(join(host, "in", "top.txt"), "single/copy.txt");
        expect(await files().readText("single/copy.txt")).toBe("top");
      } finally {
        await rm(host, { recursive: true, force: true });
      }
    });
  });
}
