import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnv } from "@hermes/core";
import { afterAll } from "vitest";
import { describeConformance, hostProcessAlive, referenceBackend } from "../src/index.js";

const homes: string[] = [];
afterAll(async () => {
  await Promise.all(homes.map((home) => rm(home, { recursive: true, force: true })));
});

/** Each environment gets a fresh $HOME, which is also where it starts: core's derived default cwd. */
async function environmentOf(streams: "node" | "web") {
  const home = await mkdtemp(join(tmpdir(), "hermes-reference-"));
  homes.push(home);
  return createEnv({ backend: referenceBackend({ env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home }, streams }) });
}

// Node's child_process gives a child sockets, not pipes, for stdout and stderr: Linux cannot open a
// socket through /dev/stdout. The local backend uses named pipes for this; the minimal form does not.
const skip = [
  {
    test: "/dev/stdout and /dev/stderr are the command's own streams",
    reason: "child_process stdio are sockets, which /dev/stdout cannot open",
  },
];

for (const streams of ["node", "web"] as const) {
  describeConformance(`reference backend (${streams} streams)`, {
    create: () => environmentOf(streams),
    processAlive: hostProcessAlive,
    skip,
  });
}
