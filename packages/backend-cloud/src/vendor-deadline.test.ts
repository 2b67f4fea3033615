import { type BackendContext, BackendUnavailableError } from "@hermes/core";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { deadlineExpired, endSandbox, withDeadline } from "./vendor-deadline.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const contextWith = (warnings: Array<[string, string]>): BackendContext => ({
  environmentId: "e1",
  backendName: "cloud",
  labels: {},
  warn: (code, message) => warnings.push([code, message]),
  progress: () => {},
});
const never = () => new Promise<never>(() => {});

it("ends a dispose that the vendor never answers after 10 s by default, aborting the call, with a warning", async () => {
  const warnings: Array<[string, string]> = [];
  let given: { signal: AbortSignal; seconds: number } | undefined;
  let returned = false;
  const ending = endSandbox(
    (signal, seconds) => {
      given = { signal, seconds };
      return never();
    },
    { context: contextWith(warnings), vendor: "Daytona", name: "hermes-e1", doing: "deleting", kept: false, ms: undefined },
  ).then(() => {
    returned = true;
  });
  await vi.advanceTimersByTimeAsync(9_999);
  expect(returned).toBe(false);
  expect(given?.signal.aborted).toBe(false);
  await vi.advanceTimersByTimeAsync(1);
  await ending;
  expect(given?.signal.aborted).toBe(true);
  // An SDK's own timeout, when it takes one instead of a signal, comes after the deadline.
  expect(given?.seconds).toBe(11);
  expect(warnings).toEqual([
    [
      "sandbox-dispose-unanswered",
      "Daytona did not answer deleting the sandbox hermes-e1 within 10 s; it may still exist (and cost): `hermes-env backend reap` removes it once this process has ended",
    ],
  ]);
  expect(vi.getTimerCount()).toBe(0);
});

it("throws what the vendor answered, without a warning, and leaves no timer", async () => {
  const warnings: Array<[string, string]> = [];
  const refused = new BackendUnavailableError({ backend: "cloud", reason: "HTTP 403", retryable: false });
  const ending = endSandbox(() => Promise.reject(refused), {
    context: contextWith(warnings),
    vendor: "Vercel",
    name: "hermes-e1",
    doing: "deleting",
    kept: false,
    ms: 5000,
  });
  await expect(ending).rejects.toBe(refused);
  expect(warnings).toEqual([]);
  expect(vi.getTimerCount()).toBe(0);
});

it("withDeadline gives the answer in time, and what comes too late to `late`; only its own expiry is deadlineExpired", async () => {
  expect(await withDeadline(Promise.resolve("answered"), { ms: 1000, backend: "modal", vendor: "Modal", doing: "looking" })).toBe(
    "answered",
  );
  expect(vi.getTimerCount()).toBe(0);
  let answer: (value: string) => void = () => {};
  const late: string[] = [];
  const waiting = withDeadline(new Promise<string>((resolve) => (answer = resolve)), {
    ms: 1000,
    backend: "modal",
    vendor: "Modal",
    doing: "creating a sandbox",
    late: (value) => late.push(value),
  }).catch((error: unknown) => error);
  await vi.advanceTimersByTimeAsync(1000);
  const error = await waiting;
  expect(error).toBeInstanceOf(BackendUnavailableError);
  expect(String(error)).toMatch(/creating a sandbox: no answer from Modal within 1 s/);
  expect((error as BackendUnavailableError).retryable).toBe(true);
  expect(deadlineExpired(error)).toBe(true);
  expect(deadlineExpired(new BackendUnavailableError({ backend: "modal", reason: "no answer from Modal within 1 s" }))).toBe(false);
  answer("made late");
  await vi.advanceTimersByTimeAsync(0);
  expect(late).toEqual(["made late"]);
});
