#!/usr/bin/env bash
# Creates .venv from the pinned requirements (again only when they changed) and the link that
# lets Ansible find this checkout as the collection fromscratch.kubernetes.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
stamp="$VENV/.requirements.sha256"
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.txt
  echo "$want" > "$stamp"
fi
link=.cache/collections/ansible_collections/fromscratch/kubernetes
mkdir -p "$(dirname "$link")"
[ -L "$link" ] || ln -s ../../../.. "$link"
# sed reads all of it: head would close the pipe early and break ansible under pipefail.
"$VENV/bin/ansible" --version | sed -n 1p
