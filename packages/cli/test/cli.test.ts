import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hostProcessAlive } from "@hermes/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The built bin, as a user runs it (`pnpm test` builds first).
const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

let home: string;
let work: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "hermes-cli-home-"));
  work = await mkdtemp(join(tmpdir(), "hermes-cli-work-"));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

function start(
  args: string[],
  options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {},
): { child: ChildProcess; done: Promise<CliRun> } {
  const env: Record<string, string | undefined> = { ...process.env, HOME: home, ...options.env };
  delete env.HERMES_CONFIG;
  for (const name of Object.keys(env)) if (name.startsWith("TERMINAL_")) delete env[name];
  const child = spawn(process.execPath, [main, ...args], { cwd: options.cwd ?? work, env, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin?.end(options.stdin ?? "");
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<CliRun>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

const cli = (args: string[], options?: { stdin?: string; env?: Record<string, string>; cwd?: string }) => start(args, options).done;

/** The CLI as on a machine without @hermes/backend-cloud (the modal backend's package). */
const withoutCloud = { NODE_OPTIONS: `--import ${new URL("./fixtures/without-cloud.mjs", import.meta.url).href}` };

describe("hermes-env exec", () => {
  it("runs a bash command line and exits with its code", async () => {
    const run = await cli(["exec", "--", "echo out; echo err >&2; exit 7"]);
    expect(run).toMatchObject({ code: 7, stdout: "out\n", stderr: "err\n" });
  });

  it("runs several arguments as argv, without a shell", async () => {
    const run = await cli(["exec", "--", "printf", "%s|", "a b", "$HOME", "*"]);
    expect(run).toMatchObject({ code: 0, stdout: "a b|$HOME|*|" });
  });

  it("streams output before the command ends", async () => {
    const { child, done } = start(["exec", "--", "echo first; sleep 30"]);
    const first = await new Promise<string>((resolve) => child.stdout?.once("data", (chunk) => resolve(String(chunk))));
    expect(first).toBe("first\n");
    child.kill("SIGINT");
    expect((await done).code).toBe(130);
  });

  it("ends the command's whole process tree on SIGTERM and exits 128+15", async () => {
    const marker = join(work, "tree-pid");
    const { child, done } = start(["exec", "--", `sleep 300 & echo $! > ${marker}; echo started; wait`]);
    await new Promise((resolve) => child.stdout?.once("data", resolve));
    const pid = Number(await readFile(marker, "utf8"));
    child.kill("SIGTERM");
    expect((await done).code).toBe(143);
    expect(await hostProcessAlive(pid)).toBe(false);
  });

  it("exits 124 on timeout, with a message", async () => {
    const run = await cli(["exec", "--timeout", "300ms", "--", "sleep 10"]);
    expect(run.code).toBe(124);
    expect(run.stderr).toMatch(/timed out/);
  });

  it("passes --env, --cwd and --stdin", async () => {
    await mkdir(join(work, "sub"), { recursive: true });
    const run = await cli(
      ["exec", "--env", "GREETING=hello there", "--cwd", "sub", "--stdin", "--", 'echo "$GREETING from ${PWD##*/}: $(cat)"'],
      {
        stdin: "piped",
      },
    );
    expect(run).toMatchObject({ code: 0, stdout: "hello there from sub: piped\n" });
  });

  it("gives the command an empty stdin unless --stdin is given", async () => {
    const run = await cli(["exec", "--", "cat; echo done"], { stdin: "not for the command" });
    expect(run).toMatchObject({ code: 0, stdout: "done\n" });
  });

  it("refuses bad arguments with exit code 2 and says what to do", async () => {
    expect(await cli(["exec"])).toMatchObject({ code: 2, stderr: expect.stringMatching(/needs a command after --/) });
    expect(await cli(["exec", "--timeout", "soon", "--", "true"])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/not a duration/),
    });
    expect(await cli(["exec", "--env", "1X=2", "--", "true"])).toMatchObject({ code: 2, stderr: expect.stringMatching(/NAME=VALUE/) });
    expect(await cli(["frobnicate"])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown command "frobnicate"/) });
  });

  it("names the package to install for a backend that is not installed (exit 125)", async () => {
    const run = await cli(["exec", "--backend", "modal", "--", "true"], { env: withoutCloud });
    expect(run.code).toBe(125);
    expect(run.stderr).toMatch(/npm install @hermes\/backend-/);
  });
});

describe("hermes-env config", () => {
  const configFile = () => join(home, ".hermes", "config.yaml");
  const original = `# Hermes settings
terminal:
  backend: local # where commands run
  timeout: 180
  # docker settings, for later
  docker_image: python:3.11-slim
`;

  it("get prints a value of ~/.hermes/config.yaml; a missing key exits 1", async () => {
    await mkdir(join(home, ".hermes"), { recursive: true });
    await writeFile(configFile(), original);
    expect(await cli(["config", "get", "terminal.timeout"])).toMatchObject({ code: 0, stdout: "180\n" });
    expect(await cli(["config", "get", "terminal.cwd"])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/terminal.cwd is not set/),
    });
  });

  it("set edits the file in place and keeps its comments", async () => {
    await mkdir(join(home, ".hermes"), { recursive: true });
    await writeFile(configFile(), original);
    const run = await cli(["config", "set", "terminal.backend", "docker"]);
    expect(run.code).toBe(0);
    expect(await readFile(configFile(), "utf8")).toBe(original.replace("backend: local", "backend: docker"));
    expect(await cli(["config", "set", "terminal.container_memory", "5120"])).toMatchObject({ code: 0 });
    const text = await readFile(configFile(), "utf8");
    expect(text).toContain("# docker settings, for later");
    expect(text).toContain("container_memory: 5120");
  });

  it("set refuses a value that makes the configuration invalid and leaves the file alone", async () => {
    await mkdir(join(home, ".hermes"), { recursive: true });
    await writeFile(configFile(), original);
    const run = await cli(["config", "set", "terminal.timeout", "soon"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/terminal\.timeout: got "soon"; expected/);
    expect(await readFile(configFile(), "utf8")).toBe(original);
  });

  it("set creates the file when there is none, and --file edits another", async () => {
    await rm(join(home, ".hermes"), { recursive: true, force: true });
    expect(await cli(["config", "set", "terminal.backend", "local"])).toMatchObject({ code: 0 });
    expect(await readFile(configFile(), "utf8")).toBe("terminal:\n  backend: local\n");
    const other = join(work, "other.yaml");
    expect(await cli(["config", "set", "--file", other, "terminal.cwd", "/srv/work"])).toMatchObject({ code: 0 });
    expect(await cli(["config", "get", "--file", other, "terminal"])).toMatchObject({ code: 0, stdout: "cwd: /srv/work\n" });
  });

  it("validate reports the dialect and backends, and every bad key with exit 2", async () => {
    const good = join(work, "good.yaml");
    await writeFile(good, "backend:\n  default: box\n  backends:\n    box: { type: local }\n    dock: { type: docker, image: debian }\n");
    expect(await cli(["config", "validate", good])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/valid, backend dialect; backends: box \(local\), dock \(docker\); default: box/),
    });
    const bad = join(work, "bad.yaml");
    await writeFile(bad, "terminal:\n  backend: dockr\n  timeout: -3\n");
    const run = await cli(["config", "validate", bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/terminal\.backend: got "dockr"/);
    expect(run.stderr).toMatch(/terminal\.timeout: got -3/);
  });

  it("validate accepts a backend whose package is not installed, with a warning naming the package", async () => {
    const file = join(work, "planned.yaml");
    await writeFile(
      file,
      "backend:\n  default: box\n  backends:\n    box: { type: local }\n    gpu: { type: modal, app: hermes, gpu: A10G }\n",
    );
    const run = await cli(["config", "validate", file], { env: withoutCloud });
    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/valid, backend dialect; backends: box \(local\), gpu \(modal\)/) });
    expect(run.stderr).toMatch(
      /warning: backend\.backends\.gpu: backend type "modal" needs the package @hermes\/backend-cloud.*npm install @hermes\/backend-cloud/,
    );
  });
});

describe("hermes-env backend status", () => {
  it("lists each configured backend: ready, or not configured with what is missing", async () => {
    const file = join(work, "status.yaml");
    await writeFile(file, "backend:\n  default: here\n  backends:\n    here: { type: local }\n    gpu: { type: modal, app: hermes }\n");
    const run = await cli(["backend", "status", "--config", file], { env: { HERMES_HOME: join(home, "status-empty"), ...withoutCloud } });
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^BACKEND\s+STATUS\s+LAST_USE\s+USAGE_TODAY\s+COST_TODAY$/);
    expect(lines).toContainEqual(expect.stringMatching(/^here \(default\)\s+ready\s+never\s+0 commands, 0\.0s busy\s+\$0\.00$/));
    expect(lines).toContainEqual(expect.stringMatching(/^gpu\s+not configured: not installed; npm install @hermes\/backend-/));
  });

  it("shows the command just run in its row, and separate runs add up", async () => {
    const file = join(work, "usage.yaml");
    const env = { HERMES_HOME: join(home, "status-usage") };
    await writeFile(file, "backend:\n  default: here\n  backends:\n    here: { type: local }\n    other: { type: local }\n");
    expect(await cli(["exec", "--config", file, "--", "sleep 0.3"], { env })).toMatchObject({ code: 0 });
    expect(await cli(["exec", "--config", file, "--", "true"], { env })).toMatchObject({ code: 0 });
    const run = await cli(["backend", "status", "--config", file], { env });
    const lines = run.stdout.trim().split("\n");
    expect(lines).toContainEqual(expect.stringMatching(/^here \(default\)\s+ready\s+\d+s ago\s+2 commands, 0\.[3-9]s busy\s+\$0\.00$/));
    expect(lines).toContainEqual(expect.stringMatching(/^other\s+ready\s+never\s+0 commands/));
    const json = JSON.parse((await cli(["backend", "status", "--config", file, "--json"], { env })).stdout);
    expect(json[0]).toMatchObject({ backend: "here", usageToday: { commands: 2 }, lastUse: expect.any(String) });
  });

  it("reports an incomplete backend as not configured, on one line, and goes on with the others", async () => {
    const file = join(work, "incomplete.yaml");
    await writeFile(file, "backend:\n  default: here\n  backends:\n    here: { type: local }\n    far: { type: ssh }\n");
    // From the repository, where the ssh backend's package resolves (as in an app that installed it).
    const repository = fileURLToPath(new URL("../../..", import.meta.url));
    const run = await cli(["backend", "status", "--config", file], {
      cwd: repository,
      env: { HERMES_HOME: join(home, "status-incomplete") },
    });
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines).toContainEqual(expect.stringMatching(/^far\s+not configured: Invalid configuration: host: got nothing.*ssh_host/));
    expect(lines).toContainEqual(expect.stringMatching(/^here \(default\)\s+ready/));
  });

  it("reports a local backend whose bash cannot run as unreachable, with the reason", async () => {
    const file = join(work, "broken.yaml");
    await writeFile(file, "backend:\n  default: broken\n  backends:\n    broken: { type: local, bash_path: /nonexistent/bash }\n");
    const run = await cli(["backend", "status", "--config", file, "--json"]);
    expect(JSON.parse(run.stdout)).toEqual([
      expect.objectContaining({ backend: "broken", type: "local", status: "unreachable", reason: expect.stringMatching(/bash/) }),
    ]);
  });
});

describe("hermes-env backend reap", () => {
  it("finds and ends the processes a killed owner left behind, and only those", async () => {
    const script = join(work, "crash.mjs");
    const core = fileURLToPath(new URL("../../core/dist/index.js", import.meta.url));
    await writeFile(
      script,
      `import { createEnv } from ${JSON.stringify(core)};\n` +
        "const env = await createEnv({ config: {} });\n" +
        'console.log((await env.exec("nohup sleep 300 >/dev/null 2>&1 & echo $!")).stdout.trim());\n' +
        "setInterval(() => {}, 60_000);\n",
    );
    const owner = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
    const left = await new Promise<number>((resolve) =>
      owner.stdout.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim()))),
    );
    const mine = spawn("sleep", ["300"], { env: { ...process.env, HERMES_OWNER: `${hostname()}/${process.pid}` } });
    try {
      owner.kill("SIGKILL");
      await new Promise((resolve) => owner.once("exit", resolve));
      expect(await hostProcessAlive(left)).toBe(true);
      const dry = await cli(["backend", "reap", "--dry-run"]);
      expect(dry.stdout).toContain(`local: would remove local process ${left} `);
      expect(await hostProcessAlive(left)).toBe(true);
      const run = await cli(["backend", "reap"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`local: removed local process ${left} `);
      expect(run.stdout).not.toContain(`process ${mine.pid} `);
      expect(await hostProcessAlive(left)).toBe(false);
      expect(await hostProcessAlive(mine.pid as number)).toBe(true);
      expect((await cli(["backend", "reap"])).stdout).toContain("nothing left behind");
    } finally {
      mine.kill("SIGKILL");
    }
  }, 30_000);
});

describe("hermes-env audit verify", () => {
  it("says a log written by a policy with log_all_commands is intact, and names the first tampered line", async () => {
    const file = join(work, "audit.yaml");
    const log = join(work, "audit.jsonl");
    await writeFile(file, `backend:\n  global: { log_all_commands: true, audit_log: ${log} }\n  backends:\n    here: { type: local }\n`);
    expect(await cli(["exec", "--config", file, "--", "echo one"])).toMatchObject({ code: 0, stdout: "one\n" });
    expect(await cli(["exec", "--config", file, "--", "echo two"])).toMatchObject({ code: 0 });
    expect(await cli(["audit", "verify", log])).toMatchObject({ code: 0, stdout: `${log}: intact, 4 records\n` });
    const lines = (await readFile(log, "utf8")).split("\n");
    lines[2] = (lines[2] as string).replace("echo two", "echo 2");
    await writeFile(log, lines.join("\n"));
    const run = await cli(["audit", "verify", log]);
    expect(run).toMatchObject({ code: 1, stdout: expect.stringContaining("line 3: its content does not match its hash") });
  });
});
