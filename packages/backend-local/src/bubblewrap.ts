/**
 * The argv that runs `argv` inside bubblewrap with the machine read-only and `root` the only writable place
 * (/tmp included: temporary files go to `TMPDIR`, inside the root). The pid namespace is the host's, so core's
 * tree kill (which scans /proc) still finds every process a command starts.
 */
export function confinedArgv(argv: readonly string[], root: string, network: "host" | "none"): string[] {
  return [
    "bwrap",
    ...["--ro-bind", "/", "/"],
    ...["--dev", "/dev"],
    ...["--proc", "/proc"],
    ...["--bind", root, root],
    "--unshare-ipc",
    "--unshare-uts",
    ...(network === "none" ? ["--unshare-net"] : []),
    "--die-with-parent",
    "--",
    ...argv,
  ];
}

/** Where confined commands keep temporary files (`TMPDIR`): the rest of the machine is read-only. */
export function confinedTemporaryDirectory(root: string): string {
  return `${root}/.tmp`;
}
