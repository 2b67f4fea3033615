const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const sizeUnits: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/**
 * `30s`, `5m`, `1h`, `500ms`, `1d` -> milliseconds. A bare number is seconds, as in Hermes's
 * `timeout: 180`. Returns undefined for anything else.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== "string") return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * (durationUnits[(match[2] ?? "s").toLowerCase()] ?? 1000);
}

/**
 * `2g`, `512m`, `1.5GiB`, `100kb` -> bytes, in binary multiples as Docker reads them. A bare number is
 * megabytes, as in Hermes's `container_memory: 5120`. Returns undefined for anything else.
 */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value * 1024 ** 2 : undefined;
  if (typeof value !== "string") return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt])?(?:i?b)?\s*$/i.exec(value);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (sizeUnits[(match[2] ?? "m").toLowerCase()] ?? 1));
}

export const durationHint = "a duration such as 30s, 5m, 1h or 500ms (a bare number is seconds)";
export const sizeHint = "a size such as 512m, 2g or 1.5GiB (a bare number is megabytes)";
