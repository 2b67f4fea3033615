import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { local } from "@hermes/backend-local";
import { createEnv } from "@hermes/core";
import { generateText, stepCountIs } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { expect, it } from "vitest";
import { hermesSandbox, hermesTools } from "../src/index.js";

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};

/** A model that calls `bash` once with `command`, then answers with the output it was given. */
function scriptedModel(command: string) {
  return new MockLanguageModelV4({
    doGenerate: async ({ prompt }) => {
      const result = prompt.flatMap((message) => (message.role === "tool" ? message.content : []));
      if (result.length === 0)
        return {
          content: [{ type: "tool-call", toolCallId: "call-1", toolName: "bash", input: JSON.stringify({ command }) }],
          finishReason: { unified: "tool-calls", raw: undefined },
          usage,
          warnings: [],
        };
      return {
        content: [{ type: "text", text: `the tool said: ${JSON.stringify(result)}` }],
        finishReason: { unified: "stop", raw: undefined },
        usage,
        warnings: [],
      };
    },
  });
}

it("generateText with the AI SDK's mock model calls the bash tool, and the command runs in the environment", async () => {
  const dir = await mkdtemp(join(tmpdir(), "hermes-ai-sdk-generate-"));
  await using env = await createEnv({ backend: local({ cwd: dir }) });
  const sandbox = await hermesSandbox(env);
  try {
    const result = await generateText({
      model: scriptedModel("echo from the model > made-by-tool.txt && cat made-by-tool.txt && uname -s"),
      tools: hermesTools(sandbox),
      experimental_sandbox: sandbox,
      prompt: "make a file",
      stopWhen: stepCountIs(3),
    });
    const call = result.steps[0]?.toolResults[0];
    expect(call).toMatchObject({ toolName: "bash", output: { exitCode: 0, stdout: "from the model\nLinux\n", stderr: "" } });
    expect(await readFile(join(dir, "made-by-tool.txt"), "utf8")).toBe("from the model\n");
    expect(result.text).toContain("from the model");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it("the file tools read, write and list in the sandbox the call was given", async () => {
  const dir = await mkdtemp(join(tmpdir(), "hermes-ai-sdk-tools-"));
  await using env = await createEnv({ backend: local({ cwd: dir }) });
  const tools = hermesTools(await hermesSandbox(env));
  const options = { toolCallId: "t", messages: [], context: {} } as never;
  try {
    expect(await tools.writeFile.execute?.({ path: "a/b.txt", content: "line 1\nline 2\n" }, options)).toEqual({
      written: "a/b.txt",
      bytes: 14,
    });
    expect(await tools.readFile.execute?.({ path: "a/b.txt", startLine: 2 }, options)).toEqual({
      found: true,
      path: "a/b.txt",
      content: "line 2\n",
    });
    expect(await tools.readFile.execute?.({ path: "nope" }, options)).toEqual({ found: false, path: "nope" });
    expect(await tools.listDirectory.execute?.({ path: "a" }, options)).toEqual({
      found: true,
      path: "a",
      entries: [{ name: "b.txt", type: "file" }],
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
