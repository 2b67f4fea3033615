import { describe, expect, it } from "vitest";
import { parseDuration, parseSize } from "./units.js";

describe("parseDuration", () => {
  it.each([
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["500ms", 500],
    ["1.5s", 1500],
    ["2d", 172_800_000],
    [180, 180_000],
    [" 10 S ", 10_000],
  ])("%j is %d ms", (input, expected) => expect(parseDuration(input)).toBe(expected));

  it.each(["", "soon", "-5s", "5 minutes", "1h30m", null, Number.NaN, -1, true])("refuses %j", (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });
});

describe("parseSize", () => {
  it.each([
    ["2g", 2 * 1024 ** 3],
    ["512m", 512 * 1024 ** 2],
    ["512MB", 512 * 1024 ** 2],
    ["1.5GiB", 1.5 * 1024 ** 3],
    ["100k", 102_400],
    ["10b", 10],
    [5120, 5120 * 1024 ** 2],
  ])("%j is %d bytes", (input, expected) => expect(parseSize(input)).toBe(expected));

  it.each(["", "big", "2x", "-1g", "g2", null, -3])("refuses %j", (input) => {
    expect(parseSize(input)).toBeUndefined();
  });
});
