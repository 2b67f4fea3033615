import { expect, it } from "vitest";
import { paced, retryingDroppedConnections } from "./engine-pacing.js";

const reset = () => Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });

it("tries a call again after dropped connections, telling it the attempt", async () => {
  const attempts: number[] = [];
  const result = await retryingDroppedConnections(async (attempt) => {
    attempts.push(attempt);
    if (attempt < 3) throw reset();
    return "made";
  });
  expect([result, attempts]).toEqual(["made", [1, 2, 3]]);
});

it("does not try again after a refusal or a permission error", async () => {
  let calls = 0;
  const refused = Object.assign(new Error("conflict"), { statusCode: 409 });
  await expect(
    retryingDroppedConnections(async () => {
      calls++;
      throw refused;
    }),
  ).rejects.toBe(refused);
  await expect(
    retryingDroppedConnections(async () => {
      calls++;
      throw Object.assign(new Error("denied"), { code: "EACCES" });
    }),
  ).rejects.toThrow("denied");
  expect(calls).toBe(2);
});

it("runs at most eight creations at once per engine address, the rest in turn", async () => {
  let running = 0;
  let most = 0;
  const done = await Promise.all(
    Array.from({ length: 30 }, (_, index) =>
      paced("unix:///test.sock", async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        return index;
      }),
    ),
  );
  expect(done).toEqual(Array.from({ length: 30 }, (_, index) => index));
  expect(most).toBe(8);
  // Another engine has its own queue.
  expect(await paced("tcp://other:2375", async () => running)).toBe(0);
});
