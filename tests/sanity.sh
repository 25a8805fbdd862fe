#!/usr/bin/env bash
# ansible-test sanity needs the collection at .../ansible_collections/fromscratch/kubernetes; it
# runs on a copy of the files git tracks (plus new ones not ignored), so caches and venvs stay out.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# ansible-test in a venv of its own with the same ansible-core: it installs each sanity test's
# pinned tools in venvs it makes, and must not disturb ansible-lint's.
venv=$root/.cache/sanity-venv
core=$(grep -E '^ansible-core==' "$root/requirements.txt")
if ! "$venv/bin/ansible-test" --version 2>/dev/null | grep -qF "${core#ansible-core==}"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "$core"
fi
export PATH=$venv/bin:$PATH
work=${FROMSCRATCH_SANITY_DIR:-/tmp/fromscratch-sanity}
dest="$work/ansible_collections/fromscratch/kubernetes"
rm -rf "$work"
mkdir -p "$dest"
cd "$root"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && printf '%s\0' "$f"
done | rsync -a --from0 --files-from=- ./ "$dest/"
# ansible-test bootstraps pip in its venvs with a script it downloads from a host that is not
# reachable here; give it ours (see tests/sanity_get_pip.py) for the pip version it pins.
pip_version=$(python - <<'PY'
import re, ansible_test, os
src = open(os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")).read()
print(re.search(r"pip='([0-9.]+)'", src).group(1))
PY
)
mkdir -p "$HOME/.ansible/test/cache"
install -m 0644 "$root/tests/sanity_get_pip.py" "$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
cd "$dest"
# ansible-test lists files through git when the tree is a repository.
git init -q && git add -A
python_version=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
exec ansible-test sanity --local --requirements --python "$python_version" --color no "$@"
