// workflow-policy.mjs - checks the GitHub Actions workflows beyond their
// schema (scripts/check-workflows.sh runs @action-validator/cli for that):
// actions pinned to full commit SHAs, nothing ever deploys `latest`,
// least-privilege permissions per job, AWS through OIDC only, concurrency
// groups, no expression injected into a shell script, the release-please
// configuration consistent, and each workflow doing its job: tests (make
// test and the Terraform checks with a pinned setup action), staging
// deployed after them from main, Release Please with an App token so its
// pull requests are tested, production promoted from the same build.
//
//   node tools/workflow-policy.mjs [DIR]                  check DIR (.github/workflows)
//   node tools/workflow-policy.mjs --every-rule-fails DIR self-test on a bad set:
//                                                         every rule must report
//                                                         and every line of
//                                                         DIR/expected.txt be seen
//
// The repository root (release-please files) is DIR/../.. .

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const YAML = require("yaml");

const SHA_PIN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[0-9a-f]{40}$/;
const AWS_ACTION = /^aws-actions\/configure-aws-credentials@/;

function load(dir) {
  const wfs = [];
  const errors = [];
  for (const f of fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const text = fs.readFileSync(path.join(dir, f), "utf8");
    try {
      wfs.push({ file: f, name: f.replace(/\.ya?ml$/, ""), text, doc: YAML.parse(text) || {} });
    } catch (e) {
      errors.push(`${f}: ${String(e.message).split("\n")[0]}`);
    }
  }
  return { dir, root: path.resolve(dir, "..", ".."), wfs, errors };
}

const jobs = (wf) => Object.entries(wf.doc.jobs || {});
const steps = (job) => job.steps || [];
const usesOf = (wf) => jobs(wf).flatMap(([j, job]) => [
  ...(job.uses ? [{ job: j, uses: job.uses }] : []),
  ...steps(job).filter((s) => s.uses).map((s) => ({ job: j, uses: s.uses })),
]);
const triggers = (wf) => {
  const on = wf.doc.on ?? wf.doc[true]; // YAML 1.1 readers may turn `on` into true
  if (typeof on === "string") return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((t) => [t, null]));
  return on || {};
};
const runs = (wf) => jobs(wf).flatMap(([j, job]) => steps(job).filter((s) => s.run).map((s) => ({ job: j, run: String(s.run) })));
const byName = (ctx, n) => ctx.wfs.find((w) => w.name === n);
const usesAws = (job) => steps(job).some((s) => AWS_ACTION.test(String(s.uses || "")));
const READ_ONLY = new Set(["read", "none"]);

const RULES = [
  {
    id: "yaml",
    desc: "every workflow is YAML with jobs",
    run: (ctx) => [...ctx.errors, ...ctx.wfs.filter((w) => !w.doc.jobs).map((w) => `${w.file}: no jobs`)],
  },
  {
    id: "required-workflows",
    desc: "test, release-please, deploy and rollback exist",
    run: (ctx) => ["test", "release-please", "deploy", "rollback"].filter((n) => !byName(ctx, n)).map((n) => `${n}.yml is missing`),
  },
  {
    id: "actions-pinned",
    desc: "every third-party `uses:` is pinned to a full commit SHA, with the release tag in a comment",
    run: (ctx) => ctx.wfs.flatMap((wf) => {
      const v = [];
      for (const u of usesOf(wf)) {
        if (String(u.uses).startsWith("./")) continue;
        if (!SHA_PIN.test(u.uses)) v.push(`${wf.file}: ${u.job} uses ${u.uses} (not a commit SHA)`);
      }
      wf.text.split("\n").forEach((line, i) => {
        const m = line.match(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/);
        if (m && !m[1].startsWith("./") && !/#\s*v\d/.test(m[2])) v.push(`${wf.file}:${i + 1}: pinned action without its # vX.Y.Z comment`);
      });
      return v;
    }),
  },
  {
    id: "never-latest",
    desc: "no workflow builds, pushes or deploys `latest`",
    run: (ctx) => ctx.wfs.flatMap((wf) => {
      const v = [];
      wf.text.split("\n").forEach((line, i) => {
        const code = line.replace(/(^|\s)#.*$/, "");
        if (/:latest\b/.test(code)) v.push(`${wf.file}:${i + 1}: uses :latest`);
        if (/(deploy|rollback)/.test(wf.name) && /\blatest\b/i.test(code)) v.push(`${wf.file}:${i + 1}: mentions latest`);
      });
      return v;
    }),
  },
  {
    id: "permissions-least",
    desc: "workflow-level permissions are empty or read-only; every job states its own; write only where needed",
    run: (ctx) => ctx.wfs.flatMap((wf) => {
      const v = [];
      const top = wf.doc.permissions;
      if (top === undefined) v.push(`${wf.file}: no workflow-level permissions`);
      else if (typeof top === "string" || Object.values(top).some((x) => !READ_ONLY.has(x))) v.push(`${wf.file}: workflow-level permissions grant ${JSON.stringify(top)}`);
      for (const [j, job] of jobs(wf)) {
        const p = job.permissions;
        if (p === undefined) { v.push(`${wf.file}: job ${j} has no permissions`); continue; }
        if (typeof p === "string") { v.push(`${wf.file}: job ${j} has permissions ${p}`); continue; }
        const calledAws = job.uses && /deploy|rollback/.test(String(job.uses));
        if (p["id-token"] === "write" && !usesAws(job) && !calledAws) v.push(`${wf.file}: job ${j} gets id-token without using AWS`);
        for (const [k, val] of Object.entries(p)) {
          if (val !== "write" || k === "id-token") continue;
          // Release Please writes the release, its pull request and the
          // pull request's labels (Issues API)
          if (!(wf.name === "release-please" && ["contents", "pull-requests", "issues"].includes(k))) v.push(`${wf.file}: job ${j} gets ${k}: write`);
        }
      }
      return v;
    }),
  },
  {
    id: "aws-oidc-only",
    desc: "AWS credentials only through OIDC (role-to-assume, id-token: write, a GitHub environment), never static keys",
    run: (ctx) => ctx.wfs.flatMap((wf) => {
      const v = [];
      if (/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key/.test(wf.text)) v.push(`${wf.file}: static AWS keys`);
      for (const [j, job] of jobs(wf)) {
        for (const s of steps(job).filter((x) => AWS_ACTION.test(String(x.uses || "")))) {
          if (!s.with || !s.with["role-to-assume"]) v.push(`${wf.file}: job ${j} configures AWS without role-to-assume`);
        }
        if (usesAws(job)) {
          if ((job.permissions || {})["id-token"] !== "write") v.push(`${wf.file}: job ${j} uses AWS without id-token: write`);
          if (!job.environment) v.push(`${wf.file}: job ${j} uses AWS outside a GitHub environment`);
        }
      }
      return v;
    }),
  },
  {
    id: "concurrency",
    desc: "every workflow has a concurrency group; deploy and rollback share one per environment and never cancel a run; runs on main are never cancelled",
    run: (ctx) => {
      const v = ctx.wfs.filter((wf) => !wf.doc.concurrency?.group).map((wf) => `${wf.file}: no concurrency group`);
      const d = byName(ctx, "deploy")?.doc.concurrency;
      const r = byName(ctx, "rollback")?.doc.concurrency;
      if (!d || !r || d.group !== r.group) v.push("deploy and rollback do not share a concurrency group");
      if (d && !/inputs\.environment/.test(String(d.group))) v.push("the deploy concurrency group is not per environment");
      for (const c of [d, r]) if (c && c["cancel-in-progress"] !== false) v.push(`deploy concurrency may cancel a deploy in progress`);
      const t = byName(ctx, "test")?.doc.concurrency;
      if (t && t["cancel-in-progress"] === true) v.push("test.yml may cancel a run on main (its staging deploy)");
      return v;
    },
  },
  {
    id: "no-script-injection",
    desc: "no ${{ }} of event data or inputs inside a run script (passed through env instead)",
    run: (ctx) => ctx.wfs.flatMap((wf) => runs(wf)
      .filter((r) => /\$\{\{\s*(github\.event|inputs|github\.head_ref|needs\.[^}]*outputs|steps\.[^}]*outputs)/.test(r.run))
      .map((r) => `${wf.file}: job ${r.job} expands an expression inside a script`)),
  },
  {
    id: "job-timeouts",
    desc: "every job that runs on a machine has timeout-minutes",
    run: (ctx) => ctx.wfs.flatMap((wf) => jobs(wf).filter(([, job]) => !job.uses && !job["timeout-minutes"]).map(([j]) => `${wf.file}: job ${j} has no timeout-minutes`)),
  },
  {
    id: "test-workflow",
    desc: "test runs `make test` and the Terraform checks (pinned hashicorp/setup-terraform) on pull requests and main; on main, after both, deploys staging",
    run: (ctx) => {
      const wf = byName(ctx, "test");
      if (!wf) return ["no test workflow"];
      const t = triggers(wf), v = [];
      if (!("pull_request" in t)) v.push("test.yml does not run on pull requests");
      if (!(t.push && (t.push.branches || []).includes("main"))) v.push("test.yml does not run on pushes to main");
      if (!runs(wf).some((r) => /^\s*make test\s*$/m.test(r.run))) v.push("test.yml does not run make test");
      const tfJob = jobs(wf).find(([, job]) => steps(job).some((st) => /^hashicorp\/setup-terraform@/.test(String(st.uses || ""))));
      if (!tfJob) v.push("test.yml sets up no Terraform (hashicorp/setup-terraform)");
      else if (!steps(tfJob[1]).some((st) => /scripts\/check-terraform\.sh/.test(String(st.run || "")))) v.push("test.yml's Terraform job does not run scripts/check-terraform.sh");
      const staging = jobs(wf).find(([, job]) => /\.github\/workflows\/deploy\.ya?ml$/.test(String(job.uses || "")));
      if (!staging) v.push("test.yml does not deploy staging (deploy.yml)");
      else {
        const [name, job] = staging;
        const needs = [].concat(job.needs || []);
        if (job.with?.environment !== "staging") v.push(`test.yml job ${name} does not deploy to staging`);
        const testJobs = jobs(wf).filter(([, j]) => !j.uses).map(([n]) => n);
        for (const n of testJobs) if (!needs.includes(n)) v.push(`test.yml: staging deploy does not wait for job ${n}`);
        if (!/refs\/heads\/main/.test(String(job.if)) || !/push/.test(String(job.if))) v.push("test.yml deploys staging from more than pushes to main");
      }
      return v;
    },
  },
  {
    id: "deploy-workflow",
    desc: "deploy is one reusable workflow (workflow_call + workflow_dispatch) with an environment input: staging builds and pushes the commit once, production promotes that build's digest behind its environment; both migrate, roll by digest, smoke-test and roll back (ecs-deploy.sh)",
    run: (ctx) => {
      const wf = byName(ctx, "deploy");
      if (!wf) return ["no deploy workflow"];
      const t = triggers(wf), v = [];
      for (const trig of ["workflow_call", "workflow_dispatch"]) {
        const env = t[trig]?.inputs?.environment;
        if (!env || env.required !== true) v.push(`deploy.yml has no required ${trig} input environment`);
      }
      if (Object.keys(t).some((k) => !["workflow_call", "workflow_dispatch"].includes(k))) v.push("deploy.yml runs on more than workflow_call and workflow_dispatch");
      const deployJob = jobs(wf).find(([, job]) => steps(job).some((st) => /ecs-deploy\.sh deploy /.test(String(st.run || ""))));
      if (!deployJob) v.push("deploy.yml does not run ecs-deploy.sh deploy");
      else if (!/inputs\.environment/.test(String(deployJob[1].environment))) v.push("deploy.yml's deploy job does not run in the input environment (its protection rules)");
      const all = runs(wf).map((r) => r.run).join("\n");
      if (!/ecs-deploy\.sh push "\$SHA"/.test(all)) v.push("deploy.yml does not build and push the commit's images");
      if (!/ecs-deploy\.sh promote "\$SHA"/.test(all)) v.push("deploy.yml does not promote the build to the release (production)");
      const pushJob = jobs(wf).find(([, job]) => steps(job).some((st) => /ecs-deploy\.sh push /.test(String(st.run || ""))));
      if (pushJob && !/staging/.test(String(pushJob[1].if))) v.push("deploy.yml builds images for production (it must promote staging's)");
      const script = path.join(ctx.root, ".github/scripts/ecs-deploy.sh");
      const s = fs.existsSync(script) ? fs.readFileSync(script, "utf8") : "";
      for (const [what, re] of [
        ["the migration task", /"command":\[\\"migrate\\"\]|command\\":\[\\"migrate/],
        ["the owner's admin task for the migration", /ADMIN_SUFFIX/],
        ["images pinned by digest", /"@" \+ \$digest/],
        ["the promotion of the same manifest", /put-image[\s\S]*--image-manifest/],
        ["waiting for stable services", /aws ecs wait services-stable/],
        ["the /api/readyz smoke test", /\/api\/readyz/],
        ["the /api/score smoke test", /\/api\/score/],
        ["the automatic rollback", /rolling back to/],
        ["refusing latest", /refusing to deploy 'latest'/],
      ]) if (!re.test(s)) v.push(`ecs-deploy.sh lacks ${what}`);
      return v;
    },
  },
  {
    id: "release-workflow",
    desc: "release-please runs after main's tests pass, with issues: write and a GitHub App token (its pull requests run the tests), and promotes a created release to production through deploy.yml",
    run: (ctx) => {
      const wf = byName(ctx, "release-please");
      if (!wf) return ["no release-please workflow"];
      const t = triggers(wf), v = [];
      if (!(t.workflow_run && (t.workflow_run.workflows || []).includes("test") && (t.workflow_run.branches || []).includes("main"))) {
        v.push("release-please.yml does not run after test.yml on main (workflow_run)");
      }
      const rp = jobs(wf).find(([, job]) => steps(job).some((st) => /release-please-action@/.test(String(st.uses || ""))));
      if (!rp) return [...v, "release-please.yml has no release-please-action job"];
      const [name, job] = rp;
      if (!/workflow_run\.conclusion == 'success'/.test(String(job.if))) v.push(`release-please.yml job ${name} does not require the tests to have passed`);
      if ((job.permissions || {}).issues !== "write") v.push(`release-please.yml job ${name} lacks issues: write (labels)`);
      const step = steps(job).find((st) => /release-please-action@/.test(String(st.uses || "")));
      const appStep = steps(job).find((st) => /^actions\/create-github-app-token@/.test(String(st.uses || "")));
      if (!appStep || !String(step.with?.token || "").includes(`steps.${appStep.id}.outputs.token`)) {
        v.push("release-please-action does not act with a GitHub App token (GITHUB_TOKEN pull requests run no tests)");
      }
      const prod = jobs(wf).find(([, j]) => /\.github\/workflows\/deploy\.ya?ml$/.test(String(j.uses || "")));
      if (!prod || prod[1].with?.environment !== "production") v.push("release-please.yml does not deploy a release to production (deploy.yml)");
      else if (!/release_created/.test(String(prod[1].if))) v.push("release-please.yml deploys production without a release");
      return v;
    },
  },
  {
    id: "rollback-workflow",
    desc: "rollback is manual, to a required version",
    run: (ctx) => {
      const wf = byName(ctx, "rollback");
      if (!wf) return ["no rollback workflow"];
      const t = triggers(wf), v = [];
      const input = t.workflow_dispatch?.inputs?.version;
      if (!input || input.required !== true) v.push("rollback.yml has no required workflow_dispatch input version");
      const env = t.workflow_dispatch?.inputs?.environment;
      if (!env || env.required !== true) v.push("rollback.yml has no required workflow_dispatch input environment");
      if (Object.keys(t).some((k) => k !== "workflow_dispatch")) v.push("rollback.yml runs on more than workflow_dispatch");
      if (!runs(wf).some((r) => /ecs-deploy\.sh rollback/.test(r.run))) v.push("rollback.yml does not run ecs-deploy.sh rollback");
      return v;
    },
  },
  {
    id: "release-please-config",
    desc: "release-please: manifest config, version file and manifest agree",
    run: (ctx) => {
      const v = [];
      const wf = byName(ctx, "release-please");
      const step = wf && jobs(wf).flatMap(([, j]) => steps(j)).find((s) => /release-please-action@/.test(String(s.uses || "")));
      if (!step) return ["no release-please-action step"];
      const cfgPath = path.join(ctx.root, step.with?.["config-file"] || "-");
      const manPath = path.join(ctx.root, step.with?.["manifest-file"] || "-");
      if (!fs.existsSync(cfgPath) || !fs.existsSync(manPath)) return ["release-please config or manifest file missing"];
      const cfg = JSON.parse(fs.readFileSync(cfgPath, "utf8"));
      const man = JSON.parse(fs.readFileSync(manPath, "utf8"));
      const pkg = cfg.packages?.["."];
      if (!pkg) v.push("release-please config has no root package");
      if ((pkg?.["release-type"] || cfg["release-type"]) !== "simple") v.push("release-type is not simple");
      if (!/^\d+\.\d+\.\d+$/.test(String(man["."]))) v.push("manifest has no root version");
      const vf = path.join(ctx.root, pkg?.["version-file"] || "version.txt");
      const version = fs.existsSync(vf) ? fs.readFileSync(vf, "utf8").trim() : null;
      if (version !== man["."]) v.push(`version file (${version}) and manifest (${man["."]}) differ`);
      return v;
    },
  },
];

function check(dir) {
  const ctx = load(dir);
  let failed = 0;
  for (const rule of RULES) {
    const v = rule.run(ctx);
    if (v.length === 0) console.log(`ok - ${rule.id}: ${rule.desc}`);
    else {
      failed++;
      console.log(`not ok - ${rule.id}: ${rule.desc}`);
      for (const x of v) console.log(`#   ${x}`);
    }
  }
  console.log(`workflow-policy: ${ctx.wfs.length} workflows, ${RULES.length - failed} of ${RULES.length} rules hold`);
  return failed === 0;
}

// selfTest(dirs): every rule reports in at least one set, and each set's
// expected.txt lines are all among that set's violations
function selfTest(dirs) {
  const fired = new Set();
  let missed = 0, wanted = 0;
  for (const dir of dirs) {
    const ctx = load(dir);
    const seen = [];
    for (const rule of RULES) {
      const v = rule.run(ctx);
      if (v.length) fired.add(rule.id);
      seen.push(...v);
    }
    const exp = path.join(dir, "expected.txt");
    const want = fs.existsSync(exp) ? fs.readFileSync(exp, "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#")) : [];
    for (const w of want) {
      const ok = seen.some((x) => x.includes(w));
      if (!ok) missed++;
      console.log(`${ok ? "ok" : "not ok"} - ${path.relative(process.cwd(), dir)} flags: ${w}`);
    }
    wanted += want.length;
  }
  for (const rule of RULES) console.log(`${fired.has(rule.id) ? "ok" : "not ok"} - rule ${rule.id} can fail`);
  console.log(`workflow-policy self-test: ${fired.size} of ${RULES.length} rules can fail, ` +
    `${wanted - missed} of ${wanted} expected violations seen`);
  return fired.size === RULES.length && missed === 0;
}

const args = process.argv.slice(2);
const ok = args[0] === "--every-rule-fails"
  ? selfTest(args.slice(1).map((d) => path.resolve(d)))
  : check(path.resolve(args[0] || ".github/workflows"));
process.exit(ok ? 0 : 1);
