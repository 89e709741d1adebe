#!/bin/sh
# check-terraform.sh - the Terraform tree, without AWS:
#   1. every .tf parses (@cdktf/hcl2json) and holds the production plan's
#      policy (tools/tf-policy.mjs), which flags every rule on a bad tree
#      (tools/policy-fixtures/terraform-bad);
#   2. with terraform (or tofu) and the AWS provider in a local filesystem
#      mirror: `fmt -check`, `validate` of each root (bootstrap, prod,
#      staging) and `terraform test` of environments/prod (a plan of
#      production against a mocked AWS provider, tests/plan.tftest.hcl);
#      then the same three on a planted bad copy, where each must fail.
# The mirror is MTW_TF_PROVIDER_MIRROR or the first of the usual places
# holding registry.terraform.io/hashicorp/aws; the check writes its own CLI
# configuration for it (no registry is asked).  Without terraform or a
# mirror it says so and checks only 1.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ -d node_modules/@cdktf/hcl2json ] \
    || { echo "check-terraform: npm tools missing: run 'make deps'" >&2; exit 1; }

node tools/tf-policy.mjs terraform
node tools/tf-policy.mjs --every-rule-fails tools/policy-fixtures/terraform-bad

tf=""
for b in terraform tofu; do
    if command -v "$b" >/dev/null 2>&1; then tf=$b; break; fi
done
if [ -z "$tf" ]; then
    echo "# terraform/tofu not installed: fmt, validate and the plan test not run"
    exit 0
fi
mirror=""
for m in ${MTW_TF_PROVIDER_MIRROR:-} /opt/tf-plugins /usr/share/terraform/plugins \
         /usr/local/share/terraform/plugins "$HOME/.terraform.d/plugins"; do
    if [ -d "$m/registry.terraform.io/hashicorp/aws" ]; then mirror=$m; break; fi
done

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
cat >"$TMP/cli.tfrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "${mirror:-/nonexistent}"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$TMP/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

fails=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; sed 's/^/#   /' "$TMP/log"; fails=$((fails + 1)); }

# fmt_ok TREE, validate_ok TREE ROOT, plan_test_ok TREE: 0 when it passes
fmt_ok() { "$tf" fmt -check -recursive -diff "$1/terraform" >"$TMP/log" 2>&1; }
init() {
    (cd "$1/terraform/$2" && timeout 300 "$tf" init -backend=false -input=false \
        -no-color) >"$TMP/log" 2>&1
}
validate_ok() { init "$1" "$2" && (cd "$1/terraform/$2" && "$tf" validate -no-color) >"$TMP/log" 2>&1; }
plan_test_ok() {
    init "$1" environments/prod \
        && (cd "$1/terraform/environments/prod" && timeout 600 "$tf" test -no-color) >"$TMP/log" 2>&1
}

if fmt_ok .; then ok "$tf fmt -check: terraform/ is formatted"
else notok "$tf fmt -check: run '$tf fmt -recursive terraform'"; fi

if [ -z "$mirror" ]; then
    echo "# no local provider mirror with hashicorp/aws (set MTW_TF_PROVIDER_MIRROR):" \
         "validate and the plan test not run"
    [ "$fails" -eq 0 ] || exit 1
    exit 0
fi
echo "# provider mirror: $mirror ($("$tf" version | head -n 1))"

# scratch copies: no .terraform/ or lock file in the repository
mkdir -p "$TMP/good" "$TMP/bad"
cp -R terraform "$TMP/good/"
for r in bootstrap environments/prod environments/staging; do
    if validate_ok "$TMP/good" "$r"; then ok "$tf validate $r"; else notok "$tf validate $r"; fi
done
if plan_test_ok "$TMP/good"; then
    ok "$tf test environments/prod: $(grep -E '^(Success|Failure)!' "$TMP/log")"
else
    notok "$tf test environments/prod (a mocked plan of production)"
fi

# the planted bad copy: misformatted, an undeclared reference, and a budget
# that counts every environment's costs
cp -R terraform "$TMP/bad/"
b=$TMP/bad/terraform
printf 'locals {\n  badly   =    "formatted"\n}\n' >"$b/modules/stack/planted.tf"
printf 'output "planted" {\n  value = var.no_such_variable\n}\n' >"$b/environments/staging/planted.tf"
# shellcheck disable=SC2016  # the Terraform expression, not a shell one
sed -i 's/format("user:Environment\$%s", var.environment)/"user:Environment$all"/' \
    "$b/modules/monitoring/main.tf"
if fmt_ok "$TMP/bad"; then notok "$tf fmt -check fails on a misformatted file"
else ok "$tf fmt -check fails on a misformatted file"; fi
if validate_ok "$TMP/bad" environments/staging; then notok "$tf validate fails on an undeclared variable"
else ok "$tf validate fails on an undeclared variable"; fi
if plan_test_ok "$TMP/bad"; then notok "$tf test fails on a budget of the whole account"
elif grep -q "prod Environment tag" "$TMP/log"; then ok "$tf test fails on a budget of the whole account"
else notok "$tf test fails on a budget of the whole account (for another reason)"; fi

[ "$fails" -eq 0 ] || { echo "check-terraform: $fails failed"; exit 1; }
echo "check-terraform: all passed"
