#!/usr/bin/env bash
# Installs the packages as a user would get them and runs the examples from there:
#   1. builds, then packs every package under packages/ with `pnpm pack` (workspace: ranges become versions);
#   2. creates a fresh project in a temporary directory outside the repository and `npm install`s all the
#      tarballs into it with plain npm (no pnpm, no workspace, no link back to the repository);
#   3. runs there examples/quickstart/index.mjs (local backend), the installed `hermes-env` CLI and
#      examples/mcp/index.mjs (an MCP client session against it),
#      examples/daytona/index.mjs, examples/vercel/index.mjs and examples/modal/index.mjs (the cloud
#      backends against their fakes)
#      examples/docker/index.mjs and examples/ai-sdk/index.mjs (docker backend, image $HERMES_DOCKER_IMAGE,
#      default hermes-test:bash).
# HERMES_SKIP_DOCKER=1 skips the docker and ai-sdk examples (a machine without a Docker engine). Temporary directories
# are removed on exit. Usage: bash scripts/packages/install-and-run.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
image="${HERMES_DOCKER_IMAGE:-hermes-test:bash}"

work="$(mktemp -d "${TMPDIR:-/tmp}/hermes-packed-XXXXXX")"
trap 'rm -rf "$work"' EXIT
case "$work/" in "$root"/*)
  echo "the temporary project must be outside the repository, got $work" >&2
  exit 1
  ;;
esac
tarballs="$work/tarballs"
project="$work/project"
mkdir -p "$tarballs" "$project"
# Usage records and audit logs of the examples go to the temporary directory, not ~/.hermes.
export HERMES_HOME="$work/hermes-home"

started_all=$(date +%s%N)
started=$started_all
timing() {
  local now
  now=$(date +%s%N)
  printf '   [%s: %d ms]\n' "$1" $(((now - started) / 1000000))
  started=$now
}

echo "== build and pack"
(cd "$root" && pnpm exec tsc -b)
for dir in "$root"/packages/*/; do
  (cd "$dir" && pnpm pack --pack-destination "$tarballs" >/dev/null)
done
ls "$tarballs"
timing "build and pack"

echo "== npm install of the tarballs into $project"
cd "$project"
cat >package.json <<'EOF'
{ "name": "hermes-packed-install", "version": "0.0.0", "private": true, "type": "module" }
EOF
npm install --no-audit --no-fund --prefer-offline --loglevel=error "$tarballs"/*.tgz
# The packages must be real copies in this project, not links into the workspace.
if [[ -n "$(find node_modules/@hermes -mindepth 1 -maxdepth 1 -type l)" ]]; then
  echo "node_modules/@hermes holds symlinks: $(find node_modules/@hermes -mindepth 1 -maxdepth 1 -type l)" >&2
  exit 1
fi
resolved="$(node --input-type=module -e 'console.log(import.meta.resolve("@hermes/core"))')"
if [[ "$resolved" != "file://$project/node_modules/"* ]]; then
  echo "@hermes/core resolves to $resolved, not to this project's node_modules" >&2
  exit 1
fi
npm ls --depth=0 --loglevel=error
timing "npm install"

echo "== quickstart (examples/quickstart/index.mjs, local backend)"
cp "$root/examples/quickstart/index.mjs" quickstart.mjs
node quickstart.mjs
timing "quickstart"

echo "== the installed CLI"
output="$(./node_modules/.bin/hermes-env exec -- echo hello from the installed cli)"
echo "   $output"
[[ "$output" == "hello from the installed cli" ]]
timing "hermes-env exec"

echo "== mcp example (examples/mcp/index.mjs: the official MCP client against the installed hermes-env mcp)"
npm install --no-audit --no-fund --prefer-offline --loglevel=error @modelcontextprotocol/sdk@1
cp "$root/examples/mcp/index.mjs" mcp.mjs
node mcp.mjs
timing "mcp example"

echo "== daytona example (examples/daytona/index.mjs, against the fake; the SDK and the fake's peers installed as a user would)"
npm install --no-audit --no-fund --prefer-offline --loglevel=error @daytonaio/sdk@0.218.0 ws@8 busboy@1
cp "$root/examples/daytona/index.mjs" daytona.mjs
node daytona.mjs
timing "daytona example"

echo "== vercel example (examples/vercel/index.mjs, against the fake; the SDK and the fake's peer installed as a user would)"
npm install --no-audit --no-fund --prefer-offline --loglevel=error @vercel/sandbox@3.5.0 tar-stream@3
cp "$root/examples/vercel/index.mjs" vercel.mjs
node vercel.mjs
timing "vercel example"

echo "== modal example (examples/modal/index.mjs, against the fake; the SDK, pinned, and the fake's peer installed as a user would)"
npm install --no-audit --no-fund --prefer-offline --loglevel=error modal@0.11.1 nice-grpc@2
cp "$root/examples/modal/index.mjs" modal.mjs
node modal.mjs
timing "modal example"

if [[ "${HERMES_SKIP_DOCKER:-}" == 1 ]]; then
  echo "== docker example skipped (HERMES_SKIP_DOCKER=1)"
else
  echo "== docker example (examples/docker/index.mjs, image $image)"
  cp "$root/examples/docker/index.mjs" docker.mjs
  status=0
  HERMES_DOCKER_IMAGE="$image" node docker.mjs || status=$?
  if ((status != 0)); then
    echo "the docker example failed with exit status $status" >&2
    exit "$status"
  fi
  timing "docker example"

  echo "== ai-sdk example (examples/ai-sdk/index.mjs: generateText with the AI SDK's mock model, the bash tool in a container)"
  npm install --no-audit --no-fund --prefer-offline --loglevel=error ai@7 zod@4
  cp "$root/examples/ai-sdk/index.mjs" ai-sdk.mjs
  HERMES_DOCKER_IMAGE="$image" node ai-sdk.mjs
  timing "ai-sdk example"
fi

started=$started_all
timing "install-and-run, in all"
