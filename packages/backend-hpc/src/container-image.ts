import { createHash } from "node:crypto";
import { type BackendContext, type BackendInstance, ConfigError } from "@hermes/core";
import { hostScript } from "./host-program.js";

/** Builds `$2` (docker://...) into the SIF `$3` with runtime `$1`, once: concurrent environments wait on the lock. */
const buildOnce = `exe=$1 image=$2 sif=$3
mkdir -p "\${sif%/*}" || exit 3
exec 9>"$sif.lock" && flock 9 || exit 4
[ -s "$sif" ] && exit 0
partial="$sif.partial.$$"
if "$exe" build "$partial" "$image" >&2; then mv -f "$partial" "$sif"; else rm -rf "$partial"; exit 5; fi`;

/**
 * The image as the runtime takes it. For Apptainer and Singularity a `docker://` image is built once into
 * a SIF in the scratch dir's cache (`<scratch>/images`, or APPTAINER_CACHEDIR's parent when set), under a
 * lock, so environments after the first start from the file; if the build fails, the reference itself is
 * used (as Hermes does) with a warning. Any other image must exist on the cluster host.
 */
export async function resolveImage(
  host: BackendInstance,
  runtime: "apptainer" | "singularity" | "charliecloud",
  image: string,
  scratchDir: string,
  context: Pick<BackendContext, "warn" | "progress">,
): Promise<string> {
  if (image.startsWith("docker://") && runtime !== "charliecloud") {
    const name = image.slice("docker://".length).replace(/[^A-Za-z0-9._-]+/g, "_");
    const sif = `${scratchDir}/images/${name}-${createHash("sha256").update(image).digest("hex").slice(0, 12)}.sif`;
    context.progress(`building ${image} into ${sif} (once; later environments reuse it)`);
    const built = await hostScript(host, buildOnce, [runtime, image, sif]);
    if (built.code === 0) return sif;
    context.warn(
      "HPC_IMAGE_BUILD_FAILED",
      `could not build ${image} into a SIF (${built.stderr.trim().split("\n").at(-1) ?? `exit ${built.code}`}); ${runtime} runs it from the registry each time`,
    );
    return image;
  }
  const exists = await hostScript(host, runtime === "charliecloud" ? '[ -d "$1" ]' : '[ -e "$1" ]', [image]);
  if (exists.code !== 0) {
    const expected =
      runtime === "charliecloud"
        ? "an image directory on the cluster host (ch-convert or ch-image make one)"
        : "a .sif file or a sandbox directory on the cluster host, or docker://...";
    throw new ConfigError({ issues: [{ path: "image", value: image, expected }] });
  }
  return image;
}
