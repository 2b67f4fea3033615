// The AI SDK's generateText calling Hermes's bash tool in a docker environment: `node index.mjs` (from the
// repository root: `node examples/ai-sdk/index.mjs` after `pnpm build`). The model is the AI SDK's own mock
// (`ai/test`), scripted to call the tool once, so no model provider or key is needed. Needs a Docker engine
// and an image with bash: HERMES_DOCKER_IMAGE, default `hermes-test:bash` (CI's test image).
// Exits non-zero when the tool's command did not run in the container as shown.
import { hermesSandbox, hermesTools } from "@hermes/ai-sdk";
import { docker } from "@hermes/backend-docker";
import { createEnv } from "@hermes/core";
import { generateText, stepCountIs } from "ai";
import { MockLanguageModelV4 } from "ai/test";

const image = process.env.HERMES_DOCKER_IMAGE ?? "hermes-test:bash";
const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 1, text: 1, reasoning: undefined },
};
const command = "mkdir -p /workspace && cd /workspace && echo from the agent > note.txt && cat note.txt && cat /etc/hostname";
// First turn: call bash. Second turn: answer with what the tool returned.
const model = new MockLanguageModelV4({
  doGenerate: async ({ prompt }) => {
    const results = prompt.flatMap((message) => (message.role === "tool" ? message.content : []));
    if (results.length === 0)
      return {
        content: [{ type: "tool-call", toolCallId: "call-1", toolName: "bash", input: JSON.stringify({ command }) }],
        finishReason: { unified: "tool-calls", raw: undefined },
        usage,
        warnings: [],
      };
    return {
      content: [{ type: "text", text: `Done: ${JSON.stringify(results[0].output)}` }],
      finishReason: { unified: "stop", raw: undefined },
      usage,
      warnings: [],
    };
  },
});

const env = await createEnv({ backend: docker({ image, network: "none", memoryMb: 512 }) });
try {
  const sandbox = await hermesSandbox(env, { note: "Nothing outside the container is reachable." });
  console.log(`== The sandbox the agent is told about:\n${sandbox.description}\n`);

  const result = await generateText({
    model,
    tools: hermesTools(sandbox),
    experimental_sandbox: sandbox,
    prompt: "Leave a note in /workspace.",
    stopWhen: stepCountIs(3),
  });
  const call = result.steps[0]?.toolResults[0];
  console.log(`== The model called ${call?.toolName} with: ${command}`);
  console.log(`   it returned: ${JSON.stringify(call?.output)}`);
  console.log(`== The model answered: ${result.text}`);

  // The command ran in the container: the file is there, and the host name is the container's.
  const note = await env.files.read("/workspace/note.txt");
  if (new TextDecoder().decode(note ?? new Uint8Array()) !== "from the agent\n") throw new Error("the note is not in the container");
  const hostname = (await env.exec("cat /etc/hostname")).stdout;
  if (call?.output?.stdout !== `from the agent\n${hostname}`) throw new Error(`unexpected tool output ${JSON.stringify(call?.output)}`);
  console.log("\n   the note is in the container, written by the tool call");
} finally {
  await env.dispose();
}
