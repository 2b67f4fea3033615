import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { compileFunction } from "node:vm";

/** The gRPC service definitions the Modal SDK speaks, as ts-proto generated them (nice-grpc's format). */
export interface ModalDefinitions {
  // biome-ignore lint/suspicious/noExplicitAny: the generated definitions are typed only inside the SDK's bundle.
  readonly ModalClientDefinition: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  readonly TaskCommandRouterDefinition: any;
}

const names = ["ModalClientDefinition", "TaskCommandRouterDefinition"] as const;
let loaded: ModalDefinitions | undefined;

/**
 * The definitions from the installed SDK itself, so the fake speaks exactly what that version sends. The
 * SDK bundles them without exporting them: its CommonJS bundle is compiled again here as a function that
 * returns them (its requires resolve from the SDK's own directory). An SDK whose bundle no longer defines
 * them fails here, loudly, rather than in a confusing call later.
 */
export function modalDefinitions(): ModalDefinitions {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  let filename: string;
  try {
    filename = require.resolve("modal");
  } catch (error) {
    throw new Error("the Modal fake needs the Modal SDK: npm install modal@0.11.1", { cause: error });
  }
  const source = readFileSync(filename, "utf8");
  const missing = names.filter((name) => !source.includes(`var ${name} = {`));
  if (missing.length > 0)
    throw new Error(`the installed Modal SDK (${filename}) no longer defines ${missing.join(" and ")}: the fake must be updated for it`);
  const module = { exports: {} };
  const body = `${source}\nreturn { ${names.join(", ")} };`;
  const factory = compileFunction(body, ["exports", "require", "module", "__filename", "__dirname"], { filename });
  loaded = factory(module.exports, createRequire(filename), module, filename, filename.replace(/\/[^/]*$/, "")) as ModalDefinitions;
  return loaded;
}
