import type { Function as FunctionNode } from "unbash";

interface Call {
  name: string;
  /** In a pipeline or in the background: it runs alongside its caller, which does not wait for it. */
  concurrent: boolean;
}

/**
 * Whether the functions defined make a fork bomb: one that reaches a call of itself (directly, or through
 * other functions) where some call on the way runs concurrently. `:(){ :|:& };:`, mutual recursion in the
 * background, `f(){ f & f; }`.
 */
export function forkBombs(functions: ReadonlyMap<string, FunctionNode>): boolean {
  const calls = new Map<string, Call[]>();
  for (const [name, node] of functions) calls.set(name, callsIn(node.body, functions));
  for (const start of functions.keys()) {
    // Depth-first over (function, a concurrent call seen so far) pairs.
    const seen = new Set<string>();
    const stack: Array<{ name: string; concurrent: boolean }> = [{ name: start, concurrent: false }];
    while (stack.length > 0) {
      const { name, concurrent } = stack.pop() as { name: string; concurrent: boolean };
      for (const call of calls.get(name) ?? []) {
        const nowConcurrent = concurrent || call.concurrent;
        if (call.name === start && nowConcurrent) return true;
        const key = `${call.name}:${nowConcurrent}`;
        if (seen.has(key)) continue;
        seen.add(key);
        stack.push({ name: call.name, concurrent: nowConcurrent });
      }
    }
  }
  return false;
}

/** The calls of defined functions in a body, with whether each runs concurrently. */
function callsIn(body: unknown, functions: ReadonlyMap<string, FunctionNode>): Call[] {
  const found: Call[] = [];
  const visit = (value: unknown, concurrent: boolean): void => {
    if (!value || typeof value !== "object") return;
    const typed = value as { type?: string; background?: boolean; commands?: unknown[]; name?: { value?: string } };
    if (typed.type === "Function") return;
    if (typed.type === "Command" && typed.name?.value !== undefined && functions.has(typed.name.value)) {
      found.push({ name: typed.name.value, concurrent });
    }
    const inPipeline = typed.type === "Pipeline" && (typed.commands?.length ?? 0) > 1;
    const nested = concurrent || inPipeline || typed.background === true;
    for (const child of Object.values(value)) {
      if (Array.isArray(child)) for (const item of child) visit(item, nested);
      else visit(child, nested);
    }
  };
  visit(body, false);
  return found;
}
