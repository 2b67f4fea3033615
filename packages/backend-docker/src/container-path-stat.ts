import type { FileType } from "@hermes/core";

/** The engine's `X-Docker-Container-Path-Stat` header: a Go `os.FileMode` and the link's target. */
export interface ContainerPathStat {
  name: string;
  size: number;
  /** Go FileMode bits: permissions in the low 9 bits, the type in the high bits. */
  mode: number;
  mtime: string;
  linkTarget: string;
}

const goModeDir = 2 ** 31;
const goModeSymlink = 2 ** 27;
const goModeSetuid = 2 ** 23;
const goModeSetgid = 2 ** 22;
const goModeSticky = 2 ** 20;
/** Device, named pipe, socket, char device, irregular. */
const goModeOther = 2 ** 26 + 2 ** 25 + 2 ** 24 + 2 ** 21 + 2 ** 19;

export function parsePathStatHeader(header: string | string[] | undefined): ContainerPathStat | null {
  const text = Array.isArray(header) ? header[0] : header;
  if (!text) return null;
  return JSON.parse(Buffer.from(text, "base64").toString("utf8")) as ContainerPathStat;
}

export function fileTypeOf(stat: ContainerPathStat): FileType {
  if (hasBit(stat.mode, goModeDir)) return "directory";
  if (hasBit(stat.mode, goModeSymlink)) return "symlink";
  if (hasAnyBit(stat.mode, goModeOther)) return "other";
  return "file";
}

/** Unix permission bits (with setuid, setgid and sticky) from a Go FileMode. */
export function unixPermissions(stat: ContainerPathStat): number {
  let mode = stat.mode & 0o777;
  if (hasBit(stat.mode, goModeSetuid)) mode |= 0o4000;
  if (hasBit(stat.mode, goModeSetgid)) mode |= 0o2000;
  if (hasBit(stat.mode, goModeSticky)) mode |= 0o1000;
  return mode;
}

// FileMode uses bit 31, past what JavaScript's 32-bit signed bitwise operators handle cleanly.
function hasBit(mode: number, bit: number): boolean {
  return Math.floor(mode / bit) % 2 === 1;
}

function hasAnyBit(mode: number, bits: number): boolean {
  for (let bit = 2 ** 19; bit <= 2 ** 26; bit *= 2) if (hasBit(bits, bit) && hasBit(mode, bit)) return true;
  return false;
}
