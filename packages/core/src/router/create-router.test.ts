import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../config/load-config.js";
import { ConfigError } from "../errors/config-error.js";
import { createRouter } from "./create-router.js";

/** The seed configuration of the routing issue, as users write it. */
const seedFile = fileURLToPath(new URL("../../../../examples/routing/hermes.yaml", import.meta.url));
const seedConfig = parse(readFileSync(seedFile, "utf8")) as {
  backend: { routing: { rules: Array<{ match: Record<string, unknown>; backend: string }>; fallback: string[] } };
};

/** A local time today. */
function at(hours: number, minutes: number, seconds = 0): Date {
  const date = new Date();
  date.setHours(hours, minutes, seconds, 0);
  return date;
}

describe("createRouter over the seed configuration", async () => {
  const router = createRouter(await loadConfig(seedConfig, { env: {} }));
  const noon = at(12, 0);

  it("sends large data processing to modal, and not at or under 500 MB", () => {
    expect(router.select({ kind: "data_processing", sizeMb: 501, at: noon })).toMatchObject({ backend: "modal", rule: 0 });
    expect(router.select({ kind: "data_processing", sizeMb: 500.5, at: noon }).backend).toBe("modal");
    expect(router.select({ kind: "data_processing", sizeMb: 500, at: noon })).not.toHaveProperty("rule");
    expect(router.select({ kind: "data_processing", sizeMb: 500, at: noon }).backend).toBe("local");
    expect(router.select({ kind: "data_processing", at: noon }).backend).toBe("local");
    expect(router.select({ kind: "test", sizeMb: 9000, at: noon }).backend).toBe("local");
  });

  it("sends python tests to docker, and nothing else", () => {
    expect(router.select({ kind: "test", language: "python", at: noon })).toMatchObject({ backend: "docker", rule: 1 });
    expect(router.select({ kind: "test", language: "Python", at: noon }).backend).toBe("docker");
    expect(router.select({ kind: "test", language: "go", at: noon }).backend).toBe("local");
    expect(router.select({ kind: "test", at: noon }).backend).toBe("local");
    expect(router.select({ language: "python", at: noon }).backend).toBe("local");
  });

  it("sends cron tasks between 01:00 and 06:00 local time to ssh-home, start included, end excluded", () => {
    expect(router.select({ cronTriggered: true, at: at(1, 0) })).toMatchObject({ backend: "ssh-home", rule: 2 });
    expect(router.select({ cronTriggered: true, at: at(3, 30) }).backend).toBe("ssh-home");
    expect(router.select({ cronTriggered: true, at: at(5, 59, 59) }).backend).toBe("ssh-home");
    expect(router.select({ cronTriggered: true, at: at(6, 0) }).backend).toBe("local");
    expect(router.select({ cronTriggered: true, at: at(0, 59, 59) }).backend).toBe("local");
    expect(router.select({ cronTriggered: false, at: at(3, 0) }).backend).toBe("local");
    expect(router.select({ at: at(3, 0) }).backend).toBe("local");
  });

  it("sends code edits to local by rule 3, and earlier rules win over it", () => {
    expect(router.select({ kind: "code_edit", at: noon })).toMatchObject({ backend: "local", rule: 3 });
    expect(router.select({ kind: "code_edit", cronTriggered: true, at: at(2, 0) })).toMatchObject({ backend: "ssh-home", rule: 2 });
  });

  it("uses the default when nothing matches, and says why each rule did not apply", () => {
    const decision = router.select({ kind: "lint", at: noon });
    expect(decision.backend).toBe("local");
    expect(decision.rule).toBeUndefined();
    expect(decision.reason).toContain("rule 0: task is lint, not data_processing");
    expect(decision.reason).toContain("rule 2: not cron-triggered");
    expect(decision.reason).toContain("the default backend");
    expect(router.select().backend).toBe("local");
  });

  it("names the matching rule in the reason", () => {
    expect(router.select({ kind: "test", language: "python" }).reason).toBe("rule 1 (task test, language python) matched");
  });

  it("exposes the fallback order", () => {
    expect(router.fallback).toEqual(["docker", "local"]);
  });
});

describe("createRouter", () => {
  it("handles windows that cross midnight", async () => {
    const config = await loadConfig(
      {
        backend: {
          default: "a",
          backends: { a: { type: "local" }, b: { type: "local" } },
          routing: { rules: [{ match: { time_window: "22:00-02:00" }, backend: "b" }] },
        },
      },
      { env: {} },
    );
    const router = createRouter(config);
    expect(router.select({ at: at(22, 0) }).backend).toBe("b");
    expect(router.select({ at: at(23, 59) }).backend).toBe("b");
    expect(router.select({ at: at(0, 0) }).backend).toBe("b");
    expect(router.select({ at: at(1, 59) }).backend).toBe("b");
    expect(router.select({ at: at(2, 0) }).backend).toBe("a");
    expect(router.select({ at: at(21, 59) }).backend).toBe("a");
    expect(router.select({ at: at(12, 0) }).backend).toBe("a");
  });

  it("takes predicates written in code, together with match keys", () => {
    const router = createRouter({
      defaultBackend: "local",
      routing: {
        rules: [{ match: { task: "train" }, when: (task) => task.labels?.gpu === "yes", backend: "modal" }],
        fallback: [],
      },
    });
    expect(router.select({ kind: "train", labels: { gpu: "yes" } })).toMatchObject({ backend: "modal", rule: 0 });
    expect(router.select({ kind: "train", labels: { gpu: "no" } }).reason).toContain("the custom predicate is false");
    expect(router.select({ labels: { gpu: "yes" } }).backend).toBe("local");
  });

  it("refuses rules and fallbacks that name unknown backends", async () => {
    const error = (() => {
      try {
        createRouter({
          defaultBackend: "local",
          backends: { local: { type: "local", options: {} } },
          routing: { rules: [{ match: {}, backend: "gpu-box" }], fallback: ["docker"] },
        });
      } catch (caught) {
        return caught;
      }
    })();
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).message).toMatch(/routing\.rules\.0\.backend.*gpu-box/s);
    expect((error as ConfigError).message).toMatch(/routing\.fallback\.0.*docker/s);
  });

  it("is refused by loadConfig when a rule or the fallback names an unknown backend", async () => {
    const broken = structuredClone(seedConfig);
    broken.backend.routing.rules[1] = { match: { task: "test", language: "python" }, backend: "dokcer" };
    broken.backend.routing.fallback = ["docker", "lokal"];
    const error = await loadConfig(broken, { env: {} }).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("backend.routing.rules.1.backend");
    expect((error as Error).message).toContain("dokcer");
    expect((error as Error).message).toContain("backend.routing.fallback.1");
  });

  it("is refused by loadConfig for a window that is not one", async () => {
    for (const window of ["25:00-06:00", "01:00-01:00", "1-6"]) {
      const broken = structuredClone(seedConfig);
      (broken.backend.routing.rules[2] as { match: Record<string, unknown> }).match.time_window = window;
      const error = await loadConfig(broken, { env: {} }).catch((caught: unknown) => caught);
      expect(ConfigError.isInstance(error), window).toBe(true);
      expect((error as Error).message).toContain("backend.routing.rules.2.match.time_window");
    }
  });
});
