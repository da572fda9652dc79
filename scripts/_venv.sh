# Sourced by scripts/*: create .venv if missing and install the project with its dev extra (idempotent).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
# What an install depends on: pyproject.toml's requirements and package layout, not its date (a merge or a
# checkout touches the file without changing them).
install_key() {
  "$PY" - "$@" <<'PY'
import hashlib, json, sys, tomllib
d = tomllib.load(open("pyproject.toml", "rb"))
keep = [d["project"].get("dependencies"), d["project"].get("optional-dependencies"),
        d.get("tool", {}).get("setuptools"), sys.argv[1:]]
print(hashlib.sha256(json.dumps(keep, sort_keys=True).encode()).hexdigest())
PY
}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
STAMP=.venv/.netcheck-installed
KEY="$(install_key)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$KEY" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
  echo "$KEY" > "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
