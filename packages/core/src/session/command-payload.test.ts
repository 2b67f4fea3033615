import { describe, expect, it } from "vitest";
import { commandPayload, quickBlock } from "./command-payload.js";

const nonce = "0123456789abcdef";
const execId = "0123456789abcdef";

describe("commandPayload", () => {
  const quick = (command: string, acknowledgePieces: boolean) =>
    commandPayload({ nonce, execId: "0123456789abcdef", command, quick: true, acknowledgePieces }).quick;

  it("sends a command asked to be quick as any other when it cannot be: not ASCII, or read in pieces", () => {
    const long = `echo ${"x".repeat(1200)}`;
    expect(quick("echo short", false)).toBe(true);
    expect(quick("echo ü", false)).toBe(false);
    expect(quick(long, false)).toBe(true);
    // On a transport that acknowledges pieces a payload that large is read in pieces, after a BEGIN line.
    expect(quick(long, true)).toBe(false);
    expect(quick("echo short", true)).toBe(true);
  });
});

describe("commandPayload in a run of quick commands", () => {
  const payload = (command: string, quick: boolean) => commandPayload({ nonce, execId, command, quick, inQuickRun: true }).text;

  it("fills a block with a quick command that fits, and sends the rest of one that does not after it", () => {
    const fits = payload("echo fits", true);
    expect(fits).toHaveLength(quickBlock);
    expect(fits).toMatch(/^\x01q0123456789abcdef0{8}00000009echo fits +$/);
    const long = `echo ${"x".repeat(quickBlock)}`;
    expect(payload(long, true)).toBe(`\x01l${execId}${"0".repeat(8)}${long.length.toString(16).padStart(8, "0")}${long}`);
  });

  it("ends the run with a block of its own before a payload that is not quick", () => {
    const text = payload("export X=1", false);
    expect(text.slice(0, quickBlock)).toMatch(/^\x01x +$/);
    expect(text.slice(quickBlock)).toBe(commandPayload({ nonce, execId, command: "export X=1" }).text);
  });
});
