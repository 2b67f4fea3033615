import { describe, expect, it } from "vitest";
import { bindSpec, containerSpec, tmpfsPathsOf } from "./container-spec.js";

describe("bindSpec", () => {
  it("keeps named volumes and absolute paths, resolves ~ and relative host paths", () => {
    expect(bindSpec("cache:/root/.cache")).toBe("cache:/root/.cache");
    expect(bindSpec("/srv/data:/data:ro")).toBe("/srv/data:/data:ro");
    expect(bindSpec("./src:/src")).toBe(`${process.cwd()}/src:/src`);
    expect(bindSpec("~/models:/models:ro")).toMatch(/^\/.+\/models:\/models:ro$/);
  });

  it("refuses malformed volumes", () => {
    for (const bad of ["/data", "a:relative", "/a:/b:rx", "/a:/b:ro:extra", ":/b"]) expect(() => bindSpec(bad)).toThrow(/is not/);
  });
});

describe("containerSpec", () => {
  it("puts nothing in tmpfs where a volume is mounted, and no anonymous volume over a mounted working folder", () => {
    const options = { volumes: ["/host/tmp:/tmp"], mountCwdToWorkspace: true };
    expect(tmpfsPathsOf(options)).toEqual(["/var/tmp", "/run"]);
    const spec = containerSpec({ options, name: "x", labels: {}, bashPath: "bash", env: {} });
    expect(Object.keys(spec.HostConfig?.Tmpfs ?? {})).toEqual(["/var/tmp", "/run"]);
    expect(spec.Volumes).toEqual({});
    expect(spec.HostConfig?.Binds).toEqual(["/host/tmp:/tmp", `${process.cwd()}:/workspace`]);
  });
});
