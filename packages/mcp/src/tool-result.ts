import { HermesError, PolicyDeniedError } from "@hermes/core";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** A tool's answer: text for the model, and the same as structured content for programs. */
export function answer(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text }], structuredContent: structured };
}

/**
 * A failure as a tool error result (never a protocol error, so the agent can read it and act): a policy
 * denial with its rule and reason, a Hermes error with its code and whether a retry could help.
 */
export function failure(error: unknown): CallToolResult {
  if (PolicyDeniedError.isInstance(error)) {
    const text = `Denied by the policy${error.rule ? ` (rule ${error.rule})` : ""}: ${error.reason}`;
    return {
      content: [{ type: "text", text }],
      isError: true,
      structuredContent: { error: "POLICY_DENIED", rule: error.rule ?? null, reason: error.reason },
    };
  }
  if (HermesError.isInstance(error)) {
    return {
      content: [{ type: "text", text: error.message }],
      isError: true,
      structuredContent: { error: error.code, message: error.message, retryable: error.retryable },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { content: [{ type: "text", text: message }], isError: true, structuredContent: { error: "ERROR", message } };
}

/** Runs a tool's body, turning whatever it throws into a tool error result. */
export async function guarded(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    return failure(error);
  }
}
