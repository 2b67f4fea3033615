import type { ConfirmCallback, ConfirmRequest } from "@hermes/core";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";

/**
 * The policy's `require_confirm` asked of the user through MCP elicitation, when the client said it can
 * ask (its `elicitation` capability); otherwise refused, with the reason the agent is then given.
 */
export function confirmByElicitation(server: Server): ConfirmCallback {
  return async (request) => {
    if (!server.getClientCapabilities()?.elicitation)
      return {
        approved: false,
        note: "this MCP client cannot ask the user to confirm (it has no elicitation support), so the action is refused",
      };
    const result = await server.elicitInput(
      {
        mode: "form",
        message: question(request),
        requestedSchema: {
          type: "object",
          properties: { approve: { type: "boolean", title: "Allow it", description: "Allow this one action" } },
          required: ["approve"],
        },
      },
      { signal: request.signal },
    );
    const approved = result.action === "accept" && result.content?.approve === true;
    return approved
      ? true
      : { approved: false, note: `the user ${result.action === "accept" ? "did not allow it" : `chose ${result.action}`}` };
  };
}

function question(request: ConfirmRequest): string {
  const { action, decision } = request;
  const what = action.action === "shell_exec" ? `run \`${action.command}\`` : `${action.action.replace("_", " ")} ${action.path}`;
  return `The agent wants to ${what} on backend "${request.backend}". ${decision.reason}${decision.rule ? ` (rule ${decision.rule})` : ""}`;
}
