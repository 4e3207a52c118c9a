#!/usr/bin/env bash
# Generates every Python pin of the project from its .in file, each package (transitive ones too) with its hashes:
#   npx projen pins           after editing a .in file (keeps the versions already pinned where they still fit)
#   npx projen pins:upgrade   moves every pin to the newest release (the weekly upgrade workflow runs it)
# The tool is uv (`uv pip compile`); when it is not on PATH, the uv that requirements-dev.txt pins is installed into a
# temporary virtualenv first.
set -euo pipefail
cd "$(dirname "$0")/.."

upgrade=()
[ "${1:-}" = "--upgrade" ] && upgrade=(--upgrade)

uv_bin=$(command -v uv || true)
if [ -z "$uv_bin" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  version=$(sed -n 's/^uv==\([^ ;\\]*\).*/\1/p' requirements-dev.txt)
  python3 -m venv "$tmp/venv"
  "$tmp/venv/bin/pip" install --quiet --disable-pip-version-check "uv==$version"
  uv_bin="$tmp/venv/bin/uv"
fi

compile() { # compile OUT IN [options...]
  local out=$1 in=$2
  shift 2
  (cd "$(dirname "$in")" && "$uv_bin" pip compile --quiet --generate-hashes --custom-compile-command 'npx projen pins' \
    "${upgrade[@]}" "$@" -o "$(basename "$out")" "$(basename "$in")")
  echo "pinned $out"
}

# Order matters: the later files take the example backend's versions as constraints (-c).
# Universal locks (any OS, Python 3.11+) where the host installs them; the aarch64 wheelhouse for the Lambda's CPython 3.14.
compile example/backend/requirements.txt example/backend/requirements.in --universal --python-version 3.11
compile example/backend/requirements-dev.txt example/backend/requirements-dev.in --universal --python-version 3.11
compile requirements-dev.txt requirements-dev.in --universal --python-version 3.11
compile test/python-consumer/requirements.txt test/python-consumer/requirements.in --universal --python-version 3.11
compile test/fixtures/python-wheelhouse/wheels-aarch64.txt test/fixtures/python-wheelhouse/wheels-aarch64.in \
  --python-platform aarch64-manylinux_2_28 --python-version 3.14 --only-binary :all:
compile test/fixtures/python-wheelhouse/wheels-host.txt test/fixtures/python-wheelhouse/wheels-host.in --universal --python-version 3.11
compile test/fixtures/python-wheelhouse/sdists.txt test/fixtures/python-wheelhouse/sdists.in --no-deps --universal --python-version 3.11
