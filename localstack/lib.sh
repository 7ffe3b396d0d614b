# Shared by up, down, seed and the test script: where the emulator's venv and run files live.
# shellcheck shell=bash
DMSEMU_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DMSEMU_PORT="${EMULATOR_PORT:-4566}"
DMSEMU_RUN_DIR="${DMSEMU_RUN_DIR:-${TMPDIR:-/tmp}/dmsemu-$(id -u)}"
# The venv is keyed by the lock file's digest and the interpreter's version: a new lock (or
# a new Python) makes a new venv, so a venv cached on one machine never hides a changed pin.
_req_hash="$({ cat "$DMSEMU_HOME/requirements.lock"; python3 -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-12)"
DMSEMU_VENV="${DMSEMU_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/dms-evidence/venv-$_req_hash}"

# Creates the venv on first use (moto, the layer's and the tests' packages), once even
# when several callers race: the install runs under a lock and ends with a marker file.
# Exactly the lock file's packages are installed: each pinned, checked against its hashes,
# none resolved at install time (--no-deps) and none built from source (--only-binary).
dmsemu_ensure_venv() {
  mkdir -p "$(dirname "$DMSEMU_VENV")" "$DMSEMU_RUN_DIR"
  [ -f "$DMSEMU_VENV/.complete" ] && return 0
  (
    flock 9
    if [ ! -f "$DMSEMU_VENV/.complete" ]; then
      echo "dmsemu: creating the emulator venv in $DMSEMU_VENV (first use)" >&2
      rm -rf "$DMSEMU_VENV"
      python3 -m venv "$DMSEMU_VENV" >&2
      "$DMSEMU_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        --require-hashes --no-deps --only-binary :all: -r "$DMSEMU_HOME/requirements.lock" >&2
      touch "$DMSEMU_VENV/.complete"
    fi
  ) 9>"$DMSEMU_VENV.lock"
}

dmsemu_url() { echo "http://127.0.0.1:$1"; }

dmsemu_healthy() {
  curl -fsS --max-time 2 "$(dmsemu_url "$1")/_dmsemu/health" >/dev/null 2>&1
}
