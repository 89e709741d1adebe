#!/bin/sh
# check-shell.sh - shellcheck on every shell script of the repository: *.sh
# files and files whose first line names sh or bash (e.g. .ci/run), outside
# build output, local state and node_modules.  shellcheck must also reject a
# deliberately bad script, so a broken install cannot pass everything.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
command -v shellcheck >/dev/null 2>&1 \
    || { echo "check-shell: shellcheck missing: run 'make deps'" >&2; exit 1; }

list=$(mktemp)
trap 'rm -f "$list" "$list.bad"' EXIT INT TERM
find . \( -path ./.git -o -path ./build -o -path ./.state \
          -o -path ./node_modules -o -path ./bench/peers/node_modules \) -prune -o -type f -print | sort |
while read -r f; do
    case "$f" in
        *.sh) echo "$f" ;;
        *) if head -n 1 "$f" 2>/dev/null \
                | grep -Eq '^#!.*(/|env )(ba)?sh( |$)'; then
               echo "$f"
           fi ;;
    esac
done >"$list"

n=$(wc -l <"$list")
[ "$n" -gt 0 ] || { echo "not ok - no shell script found"; exit 1; }
fails=0
while read -r f; do
    if shellcheck -x "$f"; then echo "ok - shellcheck $f"
    else echo "not ok - shellcheck $f"; fails=$((fails + 1)); fi
done <"$list"

# shellcheck disable=SC2016  # the bad script is written literally
printf '#!/bin/sh\nrm -rf $1/*\n' >"$list.bad"
if shellcheck "$list.bad" >/dev/null 2>&1; then
    echo "not ok - shellcheck rejects an unquoted rm -rf \$1/*"; fails=$((fails + 1))
else
    echo "ok - shellcheck rejects an unquoted rm -rf \$1/*"
fi

[ "$fails" -eq 0 ] || { echo "check-shell: $fails of $n scripts have findings"; exit 1; }
echo "check-shell: $n scripts clean"
