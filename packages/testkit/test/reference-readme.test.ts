import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFile(new URL(path, import.meta.url), "utf8");

describe("core's README, Writing a backend", () => {
  it("shows the reference backend's source as it is", async () => {
    const [readme, source] = await Promise.all([read("../../core/README.md"), read("../src/reference/reference-backend.ts")]);
    expect(readme).toContain(`\`\`\`ts\n${source}\`\`\``);
  });
});
