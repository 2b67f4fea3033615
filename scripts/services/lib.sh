# Shared by the service scripts (sourced): timing, and installing the Debian packages that are missing.
# The caller sets SERVICE, the name its messages start with.

now() { date +%s%3N; }
took() { local ms=$(($(now) - $2)); printf '%s: %s in %d.%02ds\n' "$SERVICE" "$1" $((ms / 1000)) $((ms % 1000 / 10)); }

# install_packages PACKAGE...: installs those not installed yet, with apt-get update only when needed.
install_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local start; start=$(now)
  local apt=(apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-unsafe-io -o DPkg::Lock::Timeout=120)
  export DEBIAN_FRONTEND=noninteractive
  if ! "${apt[@]}" "${missing[@]}" >/var/log/hermes-apt.log 2>&1; then
    apt-get update -q >>/var/log/hermes-apt.log 2>&1
    "${apt[@]}" "${missing[@]}" >>/var/log/hermes-apt.log 2>&1 || { tail -20 /var/log/hermes-apt.log; exit 1; }
  fi
  took "installed ${missing[*]}" "$start"
}
