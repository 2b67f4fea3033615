import type { MarkerSplitter } from "./marker-splitter.js";
import type { OutputCapture } from "./output-capture.js";
import type { markersFor } from "./session-trailer.js";

const newline = Buffer.from("\n");

export type Sinks = { stdout: OutputCapture; stderr: OutputCapture };

/** What one command's two streams carry, as the markers cut them (see the wire format in session-script.ts). */
export interface FramedCommand {
  readonly sinks: Sinks;
  /** Saw the BEGIN line (a quick command has none: it counts as begun once written). */
  started: boolean;
  /** The shell's clock when the command began (see `ProcessSelector.shell`): processes it started are younger. */
  uptime: string;
  /** The bytes of the report between the END and DONE markers. */
  trailer: Buffer[];
}

export interface FramingOptions {
  /** A quick command: no BEGIN line, its output starts at once. */
  quick: boolean;
  /**
   * Stderr has no END marker (a quick command on a transport whose streams arrive in write order): it is
   * complete one turn of the event loop after stdout's DONE. An END there (an EXIT trap's) still ends it.
   */
  stderrEndsWithStdout: boolean;
  /** The transport acknowledges pieces: the BEGIN line's clock follows an UPTIME marker. */
  acknowledgePieces: boolean;
  /** Where stdout before the BEGIN line goes (a background process of an earlier command). */
  onStray(bytes: Buffer): void;
  /** Stdout reached DONE; stderr reached its END. */
  onStdoutDone(): void;
  onStderrDone(): void;
}

/** Sets both splitters to cut out one command's output and report as they arrive. */
export function frameCommand(
  splitters: { stdout: MarkerSplitter; stderr: MarkerSplitter },
  marker: ReturnType<typeof markersFor>,
  command: FramedCommand,
  options: FramingOptions,
): void {
  const { stdout, stderr } = splitters;
  const uptime: Buffer[] = [];
  let stderrDone = false;
  const onStderrDone = () => {
    if (stderrDone) return;
    stderrDone = true;
    options.onStderrDone();
  };
  // setImmediate runs after the poll phase that read stdout's DONE, so after the reads of stderr's data.
  const onStdoutDone = options.stderrEndsWithStdout
    ? () => {
        options.onStdoutDone();
        setImmediate(onStderrDone);
      }
    : options.onStdoutDone;
  const readOutput = () =>
    stdout.expect(
      marker.stdoutEnd,
      (bytes) => command.sinks.stdout.push(bytes),
      () => stdout.expect(marker.done, (bytes) => command.trailer.push(Buffer.from(bytes)), onStdoutDone),
    );
  const readUptime = () =>
    stdout.expect(
      newline,
      (bytes) => uptime.push(Buffer.from(bytes)),
      () => {
        // The clock reading: `e` and $EPOCHREALTIME, or the first field of /proc/uptime (read with the user's
        // IFS, which may not split it).
        command.uptime = Buffer.concat(uptime).toString("latin1").trim().split(/\s+/)[0] ?? "";
        readOutput();
      },
    );
  if (options.quick) readOutput();
  else
    stdout.expect(marker.stdoutBegin, options.onStray, () => {
      command.started = true;
      // With acknowledged pieces the uptime comes after the BEGIN line's rest and the acknowledgements.
      if (options.acknowledgePieces) stdout.expect(marker.uptime, () => {}, readUptime);
      else readUptime();
    });
  // Stderr has no BEGIN marker: from here on, what arrives there is the command's.
  stderr.expect(marker.stderrEnd, (bytes) => command.sinks.stderr.push(bytes), onStderrDone);
}
