import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { type Backend, createEnv } from "@hermes/core";
import { describeWithService } from "@hermes/testkit";
import { afterAll, expect, it } from "vitest";
import { daytona } from "../src/daytona/index.js";
import { modal } from "../src/modal/index.js";
import { startDaytonaFake, startModalFake, startVercelFake } from "../src/testing/index.js";
import { vercelSandbox } from "../src/vercel/index.js";
import { bubblewrapMissing } from "./bubblewrap-missing.js";

// A vendor that accepts the dispose's delete (or terminate) and never answers it, in a process of its own,
// so that what the dispose leaves running (a timer, a socket) shows as a process that does not end.
const daytonaKey = "deadline-key";
const vercelCredentials = { token: "deadline-token", teamId: "team_deadline", projectId: "prj_deadline" };
const modalCredentials = { tokenId: "ak-deadline", tokenSecret: "as-deadline" };
const daytonaFake = bubblewrapMissing ? undefined : await startDaytonaFake({ apiKey: daytonaKey });
const vercelFake = bubblewrapMissing ? undefined : await startVercelFake(vercelCredentials);
const modalFake = bubblewrapMissing ? undefined : await startModalFake(modalCredentials);
afterAll(async () => {
  await daytonaFake?.close();
  await vercelFake?.close();
  await modalFake?.close();
});

const disposeTimeoutMs = 2000;
const vendors = [
  {
    name: "daytona",
    vendor: "Daytona",
    config: () => ({ type: "daytona", api_key: daytonaKey, api_url: daytonaFake?.apiUrl }),
    hangDelete: () => daytonaFake?.hangNext({ times: 1, method: "DELETE", pathPart: "/api/sandbox/" }),
    hangStop: () => daytonaFake?.hangNext({ times: 1, method: "POST", pathPart: "/stop" }),
    kept: () => daytona({ apiKey: daytonaKey, apiUrl: daytonaFake?.apiUrl ?? "", persistent: true, name: "hermes-kept", disposeTimeoutMs }),
    sandboxes: () => daytonaFake?.sandboxNames(),
    backend: (): Backend => daytona({ apiKey: daytonaKey, apiUrl: daytonaFake?.apiUrl ?? "" }),
    reaped: (id: string) => `daytona sandbox hermes-${id} (environment ${id})`,
  },
  {
    name: "vercel-sandbox",
    vendor: "Vercel",
    config: () => ({
      type: "vercel-sandbox",
      token: vercelCredentials.token,
      team_id: vercelCredentials.teamId,
      project_id: vercelCredentials.projectId,
      api_url: vercelFake?.url,
    }),
    hangDelete: () => vercelFake?.hangNext({ times: 1, method: "DELETE", pathPart: "/api/v2/sandboxes/hermes-" }),
    hangStop: () => vercelFake?.hangNext({ times: 1, method: "POST", pathPart: "/stop" }),
    kept: () =>
      vercelSandbox({ ...vercelCredentials, apiUrl: vercelFake?.url ?? "", persistent: true, name: "hermes-kept", disposeTimeoutMs }),
    sandboxes: () => vercelFake?.sandboxNames(),
    backend: (): Backend => vercelSandbox({ ...vercelCredentials, apiUrl: vercelFake?.url ?? "" }),
    reaped: (id: string) => `vercel sandbox hermes-${id} (environment ${id})`,
  },
  {
    name: "modal",
    vendor: "Modal",
    config: () => ({
      type: "modal",
      token_id: modalCredentials.tokenId,
      token_secret: modalCredentials.tokenSecret,
      api_url: modalFake?.url,
    }),
    hangDelete: () => modalFake?.hangNext({ times: 1, call: "SandboxTerminate" }),
    // Modal keeps no stopped sandbox (its kept files are an image): every dispose terminates.
    hangStop: undefined,
    kept: undefined,
    sandboxes: () => modalFake?.sandboxNames(),
    backend: (): Backend => modal({ ...modalCredentials, apiUrl: modalFake?.url ?? "" }),
    reaped: (id: string) => `modal sandbox ${modalFake?.sandboxes().find((s) => s.name === `hermes-${id}`)?.id} (environment ${id})`,
  },
];

/** Runs the fixture with `backend` as the only one configured; resolves with its report and how long it lived after it. */
async function disposeInChild(backend: Record<string, unknown>) {
  const script = fileURLToPath(new URL("./fixtures/dispose-unanswered.mjs", import.meta.url));
  const config = { backend: { default: "cloud", backends: { cloud: { ...backend, dispose_timeout: `${disposeTimeoutMs}ms` } } } };
  const child = spawn(process.execPath, [script, JSON.stringify(config)], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = once(child, "exit");
  try {
    const [line] = (await once(child.stdout, "data")) as [Buffer];
    const reported = Date.now();
    const report = JSON.parse(line.toString()) as { id: string; disposeMs: number; warnings: Array<{ code: string; message: string }> };
    // Ended on its own: nothing the dispose began still holds the event loop.
    const lingered = await Promise.race([
      exited.then(() => Date.now() - reported),
      new Promise((resolve) => setTimeout(resolve, 8000, "never")),
    ]);
    return { ...report, lingered, exitCode: child.exitCode };
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
  }
}

for (const { name, vendor, config, hangDelete, hangStop, kept, sandboxes, backend, reaped } of vendors) {
  describeWithService(`${name} backend: a dispose the vendor never answers`, bubblewrapMissing, () => {
    it("returns at dispose_timeout with a warning, leaves nothing running in the process, and reap() removes the sandbox once the vendor answers", async () => {
      hangDelete();
      const report = await disposeInChild(config());
      // Held for the whole deadline (the vendor did not answer), and not much longer.
      expect(report.disposeMs).toBeGreaterThanOrEqual(disposeTimeoutMs);
      expect(report.disposeMs).toBeLessThan(disposeTimeoutMs + 3000);
      expect(report.warnings).toEqual([
        {
          code: "sandbox-dispose-unanswered",
          message: expect.stringMatching(
            new RegExp(
              `^${vendor} did not answer \\w+ the sandbox hermes-${report.id} within 2 s; it may still exist \\(and cost\\): \`hermes-env backend reap\` removes it once this process has ended$`,
            ),
          ),
        },
      ]);
      // Daytona's SDK takes a timeout, not a signal: its request goes a second after the deadline.
      expect(report.lingered).toBeLessThan(4000);
      expect(report.exitCode).toBe(0);
      expect(sandboxes()).toContain(`hermes-${report.id}`);
      const reap = await backend().reap?.();
      expect(reap?.removed).toEqual([reaped(report.id)]);
      expect(sandboxes()).toEqual([]);
    }, 30_000);

    if (hangStop && kept)
      it("a kept sandbox whose stop is never answered: returns at dispose_timeout, warns, and the next environment of its name takes it over", async () => {
        const first = await createEnv({ backend: kept() });
        const warnings: Array<{ code: string; message: string }> = [];
        first.on("warning", (warning) => warnings.push(warning));
        await first.exec("echo still here > /tmp/kept.txt");
        hangStop();
        const started = Date.now();
        await first.dispose();
        expect(Date.now() - started).toBeGreaterThanOrEqual(disposeTimeoutMs);
        expect(Date.now() - started).toBeLessThan(disposeTimeoutMs + 3000);
        expect(warnings).toEqual([
          {
            code: "sandbox-dispose-unanswered",
            message: `${vendor} did not answer stopping the sandbox hermes-kept within 2 s; it may still run (and cost): the next environment of its name takes it over (\`hermes-env backend reap\` leaves kept sandboxes)`,
          },
        ]);
        const second = await createEnv({ backend: kept() });
        expect((await second.exec("cat /tmp/kept.txt")).stdout).toBe("still here\n");
        await second.dispose();
      });
  });
}
