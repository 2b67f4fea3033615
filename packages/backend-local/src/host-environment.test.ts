import { describe, expect, it } from "vitest";
import { hostEnvironment, looksLikeSecret } from "./host-environment.js";

describe("looksLikeSecret", () => {
  it.each([
    "GITHUB_TOKEN",
    "OPENAI_API_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "DB_PASSWORD",
    "MY_PASSWD",
    "SLACK_COOKIE",
    "SSH_AUTH_SOCK",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "npm_config__auth",
  ])("%s by its name", (name) => expect(looksLikeSecret(name, "x")).toBe(true));

  it.each([
    ["HARMLESS", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"],
    ["MODEL_ENDPOINT", "sk-proj-abcdefghijklmnopqrstuvwxyz"],
    ["DATABASE_URL", "postgres://app:hunter2@db.internal/app"],
    ["SOME_ID", "AKIAIOSFODNN7EXAMPLE"],
  ])("%s by its value", (name, value) => expect(looksLikeSecret(name, value)).toBe(true));

  it.each([
    ["PATH", "/usr/bin:/bin"],
    ["HOME", "/root"],
    ["KEYBOARD_LAYOUT", "us"],
    ["XAUTHORITY", "/run/user/1000/xauth"],
    ["DATABASE_URL", "postgres://db.internal/app"],
    ["PWD", "/work"],
  ])("not %s=%s", (name, value) => expect(looksLikeSecret(name, value)).toBe(false));
});

describe("hostEnvironment", () => {
  const host = {
    PATH: "/bin",
    HOME: "/home/me",
    LC_ALL: "C",
    GITHUB_TOKEN: "t",
    EDITOR: "vi",
    HERMES_ENV_ID: "outer",
    COMPANY_SECRET_X: "s",
  };

  it("forwards the host's variables minus secrets and core's own tags", () => {
    expect(hostEnvironment(host)).toEqual({ PATH: "/bin", HOME: "/home/me", LC_ALL: "C", EDITOR: "vi" });
  });

  it("lets envPassthrough re-allow a secret and envBlocklist (with *) remove more", () => {
    expect(hostEnvironment(host, { envPassthrough: ["GITHUB_TOKEN"], envBlocklist: ["EDIT*", "LC_*"] })).toEqual({
      PATH: "/bin",
      HOME: "/home/me",
      GITHUB_TOKEN: "t",
    });
  });

  it("keeps only the essentials with inheritEnv false, and adds env", () => {
    expect(hostEnvironment(host, { inheritEnv: false, env: { EXTRA: "1" } })).toEqual({
      PATH: "/bin",
      HOME: "/home/me",
      LC_ALL: "C",
      EXTRA: "1",
    });
  });
});
