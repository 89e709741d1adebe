// docs-policy.mjs - keeps the production documentation true to the code:
// the README's monthly cost table adds up to its total, which stays under
// the production budget (monthly_budget_usd in environments/prod) and
// above 70 % of it (the budget is set from the plan, not far above it); every runbook exists and has
// commands; every alarm a runbook names is an alarm Terraform creates.
//
//   node tools/docs-policy.mjs              check the repository
//   node tools/docs-policy.mjs --self-test  each check must fail on bad input

import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const RUNBOOKS = ["deploy", "rollback", "restore-rds", "rotate-secrets", "database-full", "feed-down", "high-cost"];

// costTable(readme): violations of the "Monthly cost" table
export function costTable(readme, budget) {
  const at = readme.indexOf("### Monthly cost");
  if (at < 0) return ["README has no \"### Monthly cost\" section"];
  const rows = readme.slice(at).split("\n").filter((l) => /^\|.*\|\s*$/.test(l)).slice(2);
  let sum = 0, total = null;
  for (const r of rows) {
    const cells = r.split("|").map((c) => c.trim());
    const n = Number((cells[cells.length - 2] || "").replace(/[*≈~\s]/g, ""));
    if (Number.isNaN(n)) continue;
    if (/total/i.test(cells[1])) total = n; else sum += n;
    if (/total/i.test(cells[1])) break;
  }
  const v = [];
  if (total === null) v.push("the cost table has no total row");
  else {
    if (sum !== total) v.push(`the cost rows add up to ${sum}, the table says ${total}`);
    if (!(total < budget) || total < 0.7 * budget) v.push(`the total ${total} is not under the ${budget} USD budget and above 70 % of it`);
  }
  return v;
}

// runbooks(dir): violations for missing or command-less runbooks
export function runbooks(dir, names = RUNBOOKS) {
  const v = [];
  for (const n of names) {
    const f = path.join(dir, `${n}.md`);
    if (!fs.existsSync(f)) { v.push(`docs/runbooks/${n}.md is missing`); continue; }
    if (!/```sh\n[^`]*\baws |```sh\n[^`]*\.github\/scripts|```sh\n[^`]*\bgh /.test(fs.readFileSync(f, "utf8"))) {
      v.push(`docs/runbooks/${n}.md has no command block`);
    }
  }
  return v;
}

// alarmPatterns(monitoringTf, env): regexes of the alarm names Terraform
// makes: each alarm_name, and for the map of alarm specs (`kind = { per =
// "service" | "city" | "once", ...}`, named ${var.name}-${each.key}) one
// per kind: <service>-<kind>, <kind>-<city>, <kind>
export function alarmPatterns(tf, env) {
  const specs = [...tf.matchAll(/\n\s+([a-z0-9-]+) = \{\s*\n\s*per\s*=\s*"(service|city|once)"/g)].map((m) => new RegExp(
    m[2] === "service" ? `^mtw-${env}-(nginx|worker)-${m[1]}$`
      : m[2] === "city" ? `^mtw-${env}-${m[1]}-(<city>|[a-z0-9-]+)$` : `^mtw-${env}-${m[1]}$`));
  const named = [...tf.matchAll(/alarm_name\s*=\s*"([^"]+)"/g)]
    .filter((m) => !(specs.length && m[1] === "${var.name}-${each.key}"));
  return [...specs, ...named.map((m) => new RegExp("^" + m[1]
    .replace(/\$\{var\.name\}/g, "\u0001").replace(/\$\{each\.key\}/g, "\u0002")
    .replace(/\$\{each\.value\}/g, "\u0003")
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace(/\u0001/g, `mtw-${env}`).replace(/\u0002/g, "[a-z0-9]+")
    .replace(/\u0003/g, "(<city>|[a-z0-9-]+)") + "$"))];
}

// alarmsNamed(texts, patterns): alarm names in the texts that match none
export function alarmsNamed(texts, patterns) {
  const v = [];
  for (const [file, text] of texts) {
    for (const m of text.matchAll(/`(mtw-(?:prod|staging)-[a-z0-9<>-]*-(?:high|low|stale|5xx|hosts|task)(?:-<city>)?)`/g)) {
      if (!patterns.some((p) => p.test(m[1]))) v.push(`${file} names alarm ${m[1]}, which Terraform does not create`);
    }
  }
  return v;
}

function main() {
  const root = process.cwd();
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const prodMain = fs.readFileSync(path.join(root, "terraform/environments/prod/main.tf"), "utf8");
  const budget = Number((prodMain.match(/monthly_budget_usd\s*=\s*(\d+)/) || [])[1]);
  const dir = path.join(root, "docs/runbooks");
  const tf = fs.readFileSync(path.join(root, "terraform/modules/monitoring/main.tf"), "utf8");
  const texts = fs.readdirSync(dir).map((f) => [`docs/runbooks/${f}`, fs.readFileSync(path.join(dir, f), "utf8")]);
  const patterns = alarmPatterns(tf, "prod");
  const checks = [
    [`README cost table adds up, under the ${budget} USD budget`, Number.isFinite(budget) ? costTable(readme, budget) : ["no monthly_budget_usd in environments/prod/main.tf"]],
    ["every runbook exists with its commands", runbooks(dir)],
    ["the alarms the runbooks name exist", alarmsNamed(texts, patterns)],
    ["monitoring defines alarms", patterns.length >= 9 ? [] : [`only ${patterns.length} alarm names found`]],
  ];
  let failed = 0;
  for (const [d, v] of checks) {
    console.log(`${v.length ? "not ok" : "ok"} - ${d}`);
    for (const x of v) console.log(`#   ${x}`);
    if (v.length) failed++;
  }
  return failed === 0;
}

function selfTest() {
  const bad = [
    ["cost rows that do not add up", costTable("### Monthly cost\n\n| a | b | c |\n|---|---|---:|\n| x | y | 50 |\n| y | z | 30 |\n| **total** | | **≈ 92** |\n", 100)],
    ["a total over the budget", costTable("### Monthly cost\n\n| a | b | c |\n|---|---|---:|\n| x | y | 150 |\n| **total** | | **150** |\n", 130)],
    ["no cost section", costTable("# README\n", 100)],
    ["a missing runbook", runbooks(path.join(process.cwd(), "docs/runbooks"), ["no-such-runbook"])],
    ["a runbook without commands", (() => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), "runbooks-"));
      fs.writeFileSync(path.join(d, "deploy.md"), "# Deploy\n\nClick the button.\n");
      const v = runbooks(d, ["deploy"]);
      fs.rmSync(d, { recursive: true });
      return v;
    })()],
    ["an alarm Terraform does not make", alarmsNamed([["x.md", "`mtw-prod-redis-evictions-high`"]],
      alarmPatterns('alarm_name = "${var.name}-rds-free-storage-low"', "prod"))],
  ];
  let failed = 0;
  for (const [d, v] of bad) {
    console.log(`${v.length ? "ok" : "not ok"} - flags ${d}${v.length ? ` (${v[0]})` : ""}`);
    if (!v.length) failed++;
  }
  return failed === 0;
}

const ok = process.argv[2] === "--self-test" ? selfTest() : main();
process.exit(ok ? 0 : 1);
