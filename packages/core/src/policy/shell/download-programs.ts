import { posix } from "node:path";
import { addPaths } from "./add-paths.js";
import { options } from "./option-parser.js";
import type { ProgramModel } from "./program-model.js";

/** The options through which curl writes a file. */
const curlOutputs = ["-o", "--output", "-D", "--dump-header", "-c", "--cookie-jar", "--trace", "--trace-ascii", "--stderr", "--libcurl"];

/** curl and wget: the files they write, through their output options (in `--output-dir`/`-P` when given). */
export const downloadModels: Record<string, ProgramModel> = {
  curl: (analysis, args, state, program) => {
    const parsed = options(args, {
      values: [
        ...curlOutputs,
        "--output-dir",
        "-K",
        "--config",
        "-d",
        "--data",
        "-H",
        "--header",
        "-X",
        "--request",
        "-u",
        "--user",
        "-A",
        "--user-agent",
        "-e",
        "--referer",
        "-b",
        "--cookie",
        "-F",
        "--form",
        "-T",
        "--upload-file",
        "-x",
        "--proxy",
        "-m",
        "--max-time",
        "--connect-timeout",
        "-w",
        "--write-out",
        "--retry",
        "-r",
        "--range",
        "-E",
        "--cert",
        "--key",
        "--cacert",
        "--resolve",
      ],
      long: [
        "--remote-name",
        "--remote-name-all",
        "--create-dirs",
        "--silent",
        "--show-error",
        "--fail",
        "--location",
        "--insecure",
        "--verbose",
        "--compressed",
        "--head",
        "--include",
      ],
      aliases: { "-O": "--remote-name" },
    });
    const directory = parsed.values.get("--output-dir");
    const inDirectory = (name: string | null) =>
      directory === undefined || name === null || name.startsWith("/") ? name : directory === null ? null : posix.join(directory, name);
    for (const flag of curlOutputs) {
      for (const output of parsed.all.get(flag) ?? [])
        if (output !== "-") addPaths(analysis, state, program, "write", [inDirectory(output)]);
    }
    // -O names the file after the URL, in the output directory.
    if (parsed.flags.has("--remote-name") || parsed.flags.has("--remote-name-all"))
      addPaths(analysis, state, program, "write", [inDirectory(`${program}-download`)]);
    if (parsed.values.has("-K") || parsed.values.has("--config"))
      analysis.opaque("script-file", "curl -K reads options (outputs among them) from a file", { program });
  },
  wget: (analysis, args, state, program) => {
    const parsed = options(args, {
      values: [
        "-O",
        "--output-document",
        "-P",
        "--directory-prefix",
        "-o",
        "--output-file",
        "-a",
        "--append-output",
        "-i",
        "--input-file",
        "-e",
        "--execute",
        "--config",
        "-U",
        "--user-agent",
        "--header",
        "-t",
        "--tries",
        "-T",
        "--timeout",
        "--post-data",
        "--post-file",
        "-Q",
        "--quota",
        "-l",
        "--level",
        "--load-cookies",
        "--save-cookies",
      ],
    });
    const directory = parsed.values.get("-P") ?? parsed.values.get("--directory-prefix");
    const document = parsed.values.get("-O") ?? parsed.values.get("--output-document");
    if (document !== undefined) {
      if (document !== "-") addPaths(analysis, state, program, "write", [document]);
    } else
      addPaths(analysis, state, program, "write", [
        directory === undefined ? "wget-download" : directory === null ? null : posix.join(directory, "wget-download"),
      ]);
    for (const flag of ["-o", "--output-file", "-a", "--append-output", "--save-cookies"])
      addPaths(analysis, state, program, "write", parsed.all.get(flag) ?? []);
    if (parsed.values.has("-e") || parsed.values.has("--execute") || parsed.values.has("--config"))
      analysis.opaque("script-file", "wget -e/--config take wgetrc commands, outputs among them", { program });
  },
};
