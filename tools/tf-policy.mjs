// tf-policy.mjs - parses every .tf file under a Terraform tree with
// @cdktf/hcl2json and checks the production plan's properties on the parsed
// JSON: encryption, backups, deletion protection, security group rules, no
// open ingress except the ALB, declared variables and module wiring, tags,
// alarms, budget, log retention, ECR lifecycle, secrets kept out of plain
// environment values.
//
//   node tools/tf-policy.mjs [ROOT]                    check ROOT (terraform/)
//   node tools/tf-policy.mjs --every-rule-fails ROOT   self-test on a bad tree:
//                                                      passes only when every
//                                                      rule reports something
//
// Values given through variables are resolved: a module variable takes the
// values its callers pass (or its default), a root variable its default and
// the value in terraform.tfvars.example, so a rule holds for every value the
// configuration can really receive.  Module calls are followed to any depth
// (environments/prod -> modules/stack -> modules/ecs-service); a rule about
// one environment resolves along that environment's calls only (`via`).

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const hcl = require("@cdktf/hcl2json");

// --- loading ---------------------------------------------------------------

function walk(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === ".terraform") continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const blocks = (obj) => Object.entries(obj || {}); // name => [body]

async function load(root) {
  const ctx = { root, dirs: new Map(), parseErrors: [], files: walk(root, []) };
  const dirOf = (d) => {
    if (!ctx.dirs.has(d)) {
      ctx.dirs.set(d, {
        dir: d, rel: path.relative(root, d) || ".", variables: {}, outputs: {},
        locals: {}, modules: {}, resources: [], data: [], providers: [],
        terraform: [], tfvars: {}, strings: [], codeStrings: [], moved: [], removed: [],
      });
    }
    return ctx.dirs.get(d);
  };
  for (const f of ctx.files) {
    const isTf = f.endsWith(".tf");
    const isVars = f.endsWith(".tfvars.example");
    if (!isTf && !isVars) continue;
    let json;
    try {
      json = await hcl.parse(path.basename(f), fs.readFileSync(f, "utf8"));
    } catch (e) {
      ctx.parseErrors.push(`${path.relative(root, f)}: ${String(e.message || e).split("\n")[0]}`);
      continue;
    }
    const d = dirOf(path.dirname(f));
    if (isVars) { Object.assign(d.tfvars, json); continue; }
    // moved/removed blocks name old addresses, not references
    collectStrings({ ...json, moved: undefined, removed: undefined }, d.strings, path.relative(root, f));
    // the configuration outside variable declarations (whose validations
    // may name what they refuse)
    collectStrings({ ...json, variable: undefined, moved: undefined, removed: undefined }, d.codeStrings, path.relative(root, f));
    for (const [n, [b]] of blocks(json.variable)) d.variables[n] = b;
    for (const [n, [b]] of blocks(json.output)) d.outputs[n] = b;
    for (const l of json.locals || []) Object.assign(d.locals, l);
    for (const [n, [b]] of blocks(json.module)) d.modules[n] = b;
    for (const [t, byName] of blocks(json.resource)) {
      for (const [n, [b]] of blocks(byName)) d.resources.push({ type: t, name: n, body: b, file: f });
    }
    for (const [t, byName] of blocks(json.data)) {
      for (const [n, [b]] of blocks(byName)) d.data.push({ type: t, name: n, body: b });
    }
    for (const [n, list] of blocks(json.provider)) for (const b of list) d.providers.push({ name: n, body: b });
    for (const t of json.terraform || []) d.terraform.push(t);
    for (const m of json.moved || []) d.moved.push(m);
    for (const m of json.removed || []) d.removed.push(m);
  }
  // callers: module blocks by the directory they point at
  ctx.callers = new Map();
  for (const d of ctx.dirs.values()) {
    for (const [name, body] of Object.entries(d.modules)) {
      if (typeof body.source !== "string" || !body.source.startsWith(".")) continue;
      const target = path.resolve(d.dir, body.source);
      if (!ctx.callers.has(target)) ctx.callers.set(target, []);
      ctx.callers.get(target).push({ dir: d, name, body });
    }
  }
  return ctx;
}

function collectStrings(v, out, file) {
  if (typeof v === "string") out.push({ s: v, file });
  else if (Array.isArray(v)) v.forEach((x) => collectStrings(x, out, file));
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) { out.push({ s: k, file, key: true }); collectStrings(x, out, file); }
  }
}

// --- value resolution -------------------------------------------------------

const UNRESOLVED = Symbol("unresolved");

// via: null (every caller) or a Set of directory rels the resolution may
// pass through (one environment's chain of calls)
function resolve(ctx, d, v, depth = 0, via = null) {
  if (depth > 10) return [{ [UNRESOLVED]: String(v) }];
  if (typeof v !== "string") return [v];
  let m = v.match(/^\$\{(?:tostring|tonumber)\((.*)\)\}$/s);
  if (m) return resolve(ctx, d, "${" + m[1] + "}", depth + 1, via).map((x) => x);
  m = v.match(/^\$\{var\.([A-Za-z_][\w-]*)\}$/);
  if (m) return resolveVar(ctx, d, m[1], depth + 1, via);
  m = v.match(/^\$\{local\.([A-Za-z_][\w-]*)\}$/);
  if (m && m[1] in d.locals) return resolve(ctx, d, d.locals[m[1]], depth + 1, via);
  if (!v.includes("${")) return [v];
  return [{ [UNRESOLVED]: v }];
}

function resolveVar(ctx, d, name, depth, via = null) {
  const decl = d.variables[name];
  if (!decl) return [{ [UNRESOLVED]: `var.${name} (undeclared)` }];
  const callers = (ctx.callers.get(d.dir) || []).filter((c) => !via || via.has(c.dir.rel));
  const out = [];
  if (callers.length > 0) {
    for (const c of callers) {
      if (name in c.body) out.push(...resolve(ctx, c.dir, c.body[name], depth, via));
      else if ("default" in decl) out.push(...resolve(ctx, d, decl.default, depth, via));
      else out.push({ [UNRESOLVED]: `var.${name} (not passed by ${c.dir.rel})` });
    }
    return out;
  }
  if ("default" in decl) out.push(...resolve(ctx, d, decl.default, depth));
  if (name in d.tfvars) out.push(d.tfvars[name]);
  if (out.length === 0) out.push({ [UNRESOLVED]: `var.${name} (no default, not in tfvars.example)` });
  return out;
}

const shown = (x) => (x && typeof x === "object" && UNRESOLVED in x ? `unresolved ${x[UNRESOLVED]}` : JSON.stringify(x));

// every(ctx, d, value, pred, what[, via]): violations unless every resolved value passes
function every(ctx, d, v, pred, what, via = null) {
  const bad = resolve(ctx, d, v, 0, via).filter((x) => (x && typeof x === "object" && UNRESOLVED in x) || !pred(x));
  return bad.map((x) => `${what}: ${shown(x)}`);
}

// --- helpers ------------------------------------------------------------------

const all = (ctx) => [...ctx.dirs.values()];
const resources = (ctx, type) => all(ctx).flatMap((d) => d.resources.filter((r) => r.type === type).map((r) => ({ ...r, d })));
const where = (r) => `${r.d.rel}: ${r.type}.${r.name}`;
const first = (x) => (Array.isArray(x) ? x[0] : x);
const isRoot = (d) => /^(environments\/[^/]+|bootstrap)$/.test(d.rel);
const envDirs = (ctx) => all(ctx).filter((d) => /^environments\/[^/]+$/.test(d.rel));
const moduleCalls = (ctx, sourceName) => all(ctx).flatMap((d) =>
  Object.entries(d.modules)
    .filter(([, b]) => typeof b.source === "string" && path.basename(b.source) === sourceName)
    .map(([name, body]) => ({ d, name, body })));
const sgName = (ref) => {
  const m = typeof ref === "string" && ref.match(/^\$\{aws_security_group\.([\w-]+)\.id\}$/);
  return m ? m[1] : null;
};
const num = (x) => (typeof x === "number" ? x : typeof x === "string" && /^\d+(\.\d+)?$/.test(x) ? Number(x) : NaN);
const META_ARGS = new Set(["source", "version", "count", "for_each", "providers", "depends_on"]);

// the validation blocks that check variable NAME of d: its own and those of
// the module variables it is passed to as is
function validationsOf(ctx, d, name) {
  const own = d.variables[name]?.validation || [];
  const passed = Object.values(d.modules).flatMap((body) => Object.entries(body)
    .filter(([, v]) => v === `\${var.${name}}`)
    .flatMap(([arg]) => validationsOf(ctx, ctx.dirs.get(path.resolve(d.dir, String(body.source))) || { variables: {}, modules: {} }, arg)));
  return [...own, ...passed];
}

// the module calls reached from environments/ENV, at any depth: [{ d, name,
// body, target }] plus `via`, the directories on that environment's path
function envCalls(ctx, env) {
  const start = ctx.dirs.get(path.join(ctx.root, "environments", env));
  const out = [];
  const via = new Set();
  const walkCalls = (d, depth) => {
    if (!d || depth > 5) return;
    via.add(d.rel);
    for (const [name, body] of Object.entries(d.modules)) {
      const target = ctx.dirs.get(path.resolve(d.dir, String(body.source)));
      out.push({ d, name, body, target });
      walkCalls(target, depth + 1);
    }
  };
  walkCalls(start, 0);
  return { calls: out, via };
}
const envCall = (ctx, env, source, name) => {
  const { calls, via } = envCalls(ctx, env);
  return calls.filter((c) => path.basename(String(c.body.source)) === source && (!name || c.name === name)).map((c) => ({ ...c, via }));
};

function sgRules(ctx, type) {
  return resources(ctx, type).map((r) => {
    const b = r.body;
    const sg = sgName(b.security_group_id);
    const peer = b.cidr_ipv4 || b.cidr_ipv6 || (sgName(b.referenced_security_group_id) ? `sg.${sgName(b.referenced_security_group_id)}` : "?");
    const ports = resolve(ctx, r.d, b.from_port);
    const toPorts = resolve(ctx, r.d, b.to_port);
    return { r, sg, peer, ports, toPorts, open: b.cidr_ipv4 === "0.0.0.0/0" || b.cidr_ipv6 === "::/0" };
  });
}

// the alarms: one resource each, or a for_each over a map of specs written
// in a local (entries with namespace and metric_name)
function alarmMetrics(ctx) {
  const out = [];
  for (const r of resources(ctx, "aws_cloudwatch_metric_alarm")) {
    const b = r.body;
    if (b.for_each) {
      for (const [lname, val] of Object.entries(r.d.locals)) {
        if (!val || typeof val !== "object" || Array.isArray(val)) continue;
        for (const [k, spec] of Object.entries(val)) {
          if (spec && typeof spec === "object" && spec.metric_name && spec.namespace) {
            out.push({ r: { ...r, name: `${r.name}[${lname}.${k}]` }, ns: spec.namespace, metric: spec.metric_name, threshold: spec.threshold, period: spec.period });
          }
        }
      }
      continue;
    }
    if (b.metric_name) out.push({ r, ns: b.namespace, metric: b.metric_name, threshold: b.threshold, period: b.period });
    for (const q of b.metric_query || []) {
      for (const m of q.metric || []) out.push({ r, ns: m.namespace, metric: m.metric_name, threshold: b.threshold, period: m.period });
    }
  }
  return out;
}

// --- the rules -------------------------------------------------------------------

const RULES = [
  {
    id: "parse",
    desc: "every .tf and .tfvars.example file parses",
    run: (ctx) => ctx.parseErrors,
  },
  {
    id: "var-declared",
    desc: "every var.NAME used in a directory is declared there",
    run: (ctx) => all(ctx).flatMap((d) => {
      const used = new Set();
      for (const { s } of d.strings) for (const m of s.matchAll(/\bvar\.([A-Za-z_][\w-]*)/g)) used.add(m[1]);
      return [...used].filter((n) => !(n in d.variables)).map((n) => `${d.rel}: var.${n} is not declared`);
    }),
  },
  {
    id: "local-declared",
    desc: "every local.NAME used in a directory is defined there",
    run: (ctx) => all(ctx).flatMap((d) => {
      const used = new Set();
      for (const { s } of d.strings) for (const m of s.matchAll(/\blocal\.([A-Za-z_][\w-]*)/g)) used.add(m[1]);
      return [...used].filter((n) => !(n in d.locals)).map((n) => `${d.rel}: local.${n} is not defined`);
    }),
  },
  {
    id: "var-typed-described",
    desc: "every variable has a type and a description",
    run: (ctx) => all(ctx).flatMap((d) => Object.entries(d.variables).flatMap(([n, b]) => [
      ...(b.type ? [] : [`${d.rel}: variable ${n} has no type`]),
      ...(typeof b.description === "string" && b.description.trim() ? [] : [`${d.rel}: variable ${n} has no description`]),
    ])),
  },
  {
    id: "var-validated",
    desc: "every non-bool input of an environment or bootstrap has a validation",
    run: (ctx) => all(ctx).filter(isRoot).flatMap((d) => Object.entries(d.variables)
      .filter(([, b]) => b.type !== "${bool}" && !(b.validation && b.validation.length))
      // or it is passed as is to module variables that validate it
      .filter(([n]) => validationsOf(ctx, d, n).length === 0)
      .map(([n]) => `${d.rel}: variable ${n} has no validation`)),
  },
  {
    id: "module-args",
    desc: "module calls pass only declared variables and every required one",
    run: (ctx) => all(ctx).flatMap((d) => Object.entries(d.modules).flatMap(([name, body]) => {
      const target = ctx.dirs.get(path.resolve(d.dir, String(body.source)));
      if (!target) return [`${d.rel}: module ${name}: source ${body.source} not found`];
      const v = [];
      for (const arg of Object.keys(body)) {
        if (!META_ARGS.has(arg) && !(arg in target.variables)) v.push(`${d.rel}: module ${name} passes undeclared ${arg}`);
      }
      for (const [vn, vb] of Object.entries(target.variables)) {
        if (!("default" in vb) && !(vn in body)) v.push(`${d.rel}: module ${name} does not pass required ${vn}`);
      }
      return v;
    })),
  },
  {
    id: "module-outputs",
    desc: "every module.NAME.OUTPUT used exists",
    run: (ctx) => all(ctx).flatMap((d) => {
      const v = new Set();
      for (const { s } of d.strings) {
        for (const m of s.matchAll(/\bmodule\.([\w-]+)\.([\w-]+)/g)) {
          const call = d.modules[m[1]];
          const target = call && ctx.dirs.get(path.resolve(d.dir, String(call.source)));
          if (!call) v.add(`${d.rel}: module.${m[1]} is not called`);
          else if (target && !(m[2] in target.outputs)) v.add(`${d.rel}: module.${m[1]} has no output ${m[2]}`);
        }
      }
      return [...v];
    }),
  },
  {
    id: "sg-no-inline-rules",
    desc: "security groups have no inline rules and no legacy aws_security_group_rule (each rule is checked one by one)",
    run: (ctx) => [
      ...resources(ctx, "aws_security_group").filter((r) => r.body.ingress || r.body.egress).map((r) => `${where(r)} has inline rules`),
      ...resources(ctx, "aws_security_group_rule").map((r) => `${where(r)}: use aws_vpc_security_group_*_rule`),
    ],
  },
  {
    id: "sg-open-ingress-only-alb",
    desc: "ingress from 0.0.0.0/0 or ::/0 only to the ALB, on 80 and 443",
    run: (ctx) => sgRules(ctx, "aws_vpc_security_group_ingress_rule").filter((x) => x.open)
      .filter((x) => x.sg !== "alb" || !x.ports.every((p) => p === 80 || p === 443))
      .map((x) => `${where(x.r)} opens ${x.sg} port ${x.ports.map(shown)} to ${x.peer}`),
  },
  {
    id: "sg-ingress-exact",
    desc: "ingress is exactly: ALB 80/443 from anywhere, nginx 8080 from the ALB, PostgreSQL from the worker, Redis from nginx and the worker",
    run: (ctx) => {
      const want = ["alb:80:0.0.0.0/0", "alb:443:0.0.0.0/0", "nginx:8080:sg.alb", "rds:5432:sg.worker", "redis:6379:sg.nginx", "redis:6379:sg.worker"];
      const have = new Set();
      for (const x of sgRules(ctx, "aws_vpc_security_group_ingress_rule")) {
        for (const p of x.ports) have.add(`${x.sg}:${shown(p)}:${x.peer}`);
        if (shown(x.ports) !== shown(x.toPorts)) have.add(`${x.sg}:range:${x.peer}`);
      }
      const v = [];
      for (const w of want) if (!have.has(w)) v.push(`missing ingress ${w}`);
      for (const h of have) if (!want.includes(h)) v.push(`unexpected ingress ${h}`);
      return v;
    },
  },
  {
    id: "sg-egress-exact",
    desc: "egress is exactly: ALB to nginx 8080; nginx to Redis and HTTPS (AWS APIs) only; the worker to Redis, PostgreSQL and HTTP(S)",
    run: (ctx) => {
      const want = ["alb:8080:sg.nginx", "nginx:6379:sg.redis", "nginx:443:0.0.0.0/0",
        "worker:6379:sg.redis", "worker:5432:sg.rds", "worker:443:0.0.0.0/0", "worker:80:0.0.0.0/0"];
      const have = new Set();
      for (const x of sgRules(ctx, "aws_vpc_security_group_egress_rule")) {
        for (const p of x.ports) have.add(`${x.sg}:${shown(p)}:${x.peer}`);
        if (shown(x.ports) !== shown(x.toPorts)) have.add(`${x.sg}:range:${x.peer}`);
      }
      const v = [];
      for (const w of want) if (!have.has(w)) v.push(`missing egress ${w}`);
      for (const h of have) if (!want.includes(h)) v.push(`unexpected egress ${h}`);
      return v;
    },
  },
  {
    id: "rds-protected",
    desc: "RDS: encrypted, private, gp3 20 GB growing to 100 GB, >= 7 days of backups, deletion protection, final snapshot, db.t4g.micro, master password managed by RDS, RSA 2048 G1 CA",
    run: (ctx) => {
      const dbs = resources(ctx, "aws_db_instance");
      if (dbs.length === 0) return ["no aws_db_instance"];
      return dbs.flatMap((r) => {
        const b = r.body, w = where(r);
        return [
          ...(b.storage_encrypted === true ? [] : [`${w}: storage_encrypted is not true`]),
          ...(b.deletion_protection === true ? [] : [`${w}: deletion_protection is not true`]),
          ...(b.publicly_accessible === false ? [] : [`${w}: publicly_accessible is not false`]),
          ...(b.skip_final_snapshot === false ? [] : [`${w}: skip_final_snapshot is not false`]),
          ...(b.storage_type === "gp3" ? [] : [`${w}: storage_type is not gp3`]),
          ...every(ctx, r.d, b.backup_retention_period, (x) => num(x) >= 7, `${w}: backup_retention_period`),
          ...every(ctx, r.d, b.allocated_storage, (x) => num(x) === 20, `${w}: allocated_storage (planned 20 GB)`),
          ...every(ctx, r.d, b.max_allocated_storage, (x) => num(x) === 100, `${w}: max_allocated_storage (planned 100 GB)`),
          ...every(ctx, r.d, b.instance_class, (x) => x === "db.t4g.micro", `${w}: instance_class`),
          ...(b.manage_master_user_password === true ? [] : [`${w}: manage_master_user_password is not true`]),
          ...("password" in b || "password_wo" in b ? [`${w}: sets a master password (RDS must manage it)`] : []),
          ...every(ctx, r.d, b.ca_cert_identifier, (x) => x === "rds-ca-rsa2048-g1", `${w}: ca_cert_identifier`),
        ];
      });
    },
  },
  {
    id: "redis-protected",
    desc: "ElastiCache: a replication group encrypted at rest and in transit (TLS required), with AUTH, cache.t4g.micro, no unencrypted cluster",
    run: (ctx) => {
      const groups = resources(ctx, "aws_elasticache_replication_group");
      return [
        ...(groups.length ? [] : ["no aws_elasticache_replication_group"]),
        ...resources(ctx, "aws_elasticache_cluster").filter((r) => !r.body.replication_group_id)
          .map((r) => `${where(r)}: a standalone cluster cannot be encrypted at rest`),
        ...groups.flatMap((r) => [
          ...(r.body.at_rest_encryption_enabled === true ? [] : [`${where(r)}: at_rest_encryption_enabled is not true`]),
          ...every(ctx, r.d, r.body.node_type, (x) => x === "cache.t4g.micro", `${where(r)}: node_type`),
          ...(r.body.transit_encryption_enabled === true && r.body.transit_encryption_mode === "required" ? [] : [`${where(r)}: in-transit encryption is not required`]),
          ...(r.body.auth_token ? [] : [`${where(r)}: no AUTH token`]),
        ]),
      ];
    },
  },
  {
    id: "data-stores-private",
    desc: "RDS and ElastiCache are given the private subnets",
    run: (ctx) => {
      const calls = [...moduleCalls(ctx, "rds"), ...moduleCalls(ctx, "elasticache")];
      if (calls.length === 0) return ["no rds/elasticache module call"];
      return calls.filter((c) => !/^\$\{module\.[\w-]+\.private_subnet_ids\}$/.test(String(c.body.subnet_ids)))
        .map((c) => `${c.d.rel}: module ${c.name} gets subnet_ids ${c.body.subnet_ids}`);
    },
  },
  {
    id: "log-retention-7d",
    desc: "every CloudWatch log group keeps 7 days",
    run: (ctx) => {
      const groups = resources(ctx, "aws_cloudwatch_log_group");
      if (groups.length === 0) return ["no aws_cloudwatch_log_group"];
      return groups.flatMap((r) => every(ctx, r.d, r.body.retention_in_days, (x) => num(x) === 7, `${where(r)}: retention_in_days`));
    },
  },
  {
    id: "ecr-repositories",
    desc: "ECR: immutable tags, scan on push, a lifecycle policy keeping the last 10 images",
    run: (ctx) => {
      const repos = resources(ctx, "aws_ecr_repository");
      if (repos.length === 0) return ["no aws_ecr_repository"];
      const v = [];
      for (const r of repos) {
        if (r.body.image_tag_mutability !== "IMMUTABLE") v.push(`${where(r)}: tags are not IMMUTABLE`);
        if (first(r.body.image_scanning_configuration)?.scan_on_push !== true) v.push(`${where(r)}: scan_on_push is not true`);
        const lp = r.d.resources.filter((x) => x.type === "aws_ecr_lifecycle_policy");
        if (lp.length === 0) v.push(`${where(r)}: no lifecycle policy`);
        for (const p of lp) {
          const m = String(p.body.policy).match(/countNumber\s*=\s*([\w.]+)/);
          if (!m || !/imageCountMoreThan/.test(String(p.body.policy))) { v.push(`${where(r)}: lifecycle is not a count limit`); continue; }
          const token = /^\d+$/.test(m[1]) ? Number(m[1]) : "${" + m[1] + "}";
          v.push(...every(ctx, r.d, token, (x) => num(x) === 10, `${where(r)}: images kept`));
        }
      }
      return v;
    },
  },
  {
    id: "ecs-secrets-not-plain",
    desc: "no secret-looking value in a container's plain environment; the worker gets its secrets from SSM/Secrets Manager",
    run: (ctx) => {
      const calls = moduleCalls(ctx, "ecs-service");
      if (calls.length === 0) return ["no ecs-service module call"];
      const v = [];
      for (const c of calls) {
        const env = c.body.environment || {};
        for (const [k, val] of Object.entries(env)) {
          if (/PASS|SECRET|TOKEN|API_?KEY|CREDENTIAL/i.test(k)) v.push(`${c.d.rel}: module ${c.name} has ${k} in plain environment`);
          if (/:\/\/[^/@\s]+:[^/@\s]+@/.test(String(val))) v.push(`${c.d.rel}: module ${c.name} ${k} embeds a password in a URL`);
        }
        for (const [k, val] of Object.entries(c.body.secrets || {})) {
          if (!/^\$\{[^}]*\}(:[A-Za-z_]+::)?$/.test(String(val)) && !/^arn:aws:(ssm|secretsmanager):/.test(String(val))) {
            v.push(`${c.d.rel}: module ${c.name} secret ${k} is not a parameter/secret ARN`);
          }
        }
        if (c.name === "worker" && Object.keys(c.body.secrets || {}).length === 0) {
          v.push(`${c.d.rel}: the worker gets no ECS secrets (database password)`);
        }
        // TLS to RDS verifies the server: verify-full against a CA file
        for (const [k, val] of Object.entries(env)) {
          if (/^postgres(ql)?:\/\//.test(String(val)) && !/sslmode=verify-full&sslrootcert=/.test(String(val))) {
            v.push(`${c.d.rel}: module ${c.name} ${k} does not verify the server (sslmode=verify-full, sslrootcert)`);
          }
          if (/^redis:\/\//.test(String(val))) v.push(`${c.d.rel}: module ${c.name} ${k} is plain redis://, not rediss://`);
        }
        if (env.MTW_REDIS_ADDR !== undefined && env.MTW_REDIS_TLS !== "on") v.push(`${c.d.rel}: module ${c.name} talks to Redis without MTW_REDIS_TLS on`);
        if ((env.MTW_REDIS_ADDR !== undefined || env.MTW_REDIS_URL !== undefined) && !(c.body.secrets || {}).MTW_REDIS_PASSWORD) {
          v.push(`${c.d.rel}: module ${c.name} gets no Redis AUTH secret (MTW_REDIS_PASSWORD)`);
        }
      }
      return v;
    },
  },
  {
    id: "ecs-deploys-safe",
    desc: "ECS services: circuit breaker with rollback, ECS Exec on; container insights on the cluster",
    run: (ctx) => {
      const svcs = resources(ctx, "aws_ecs_service");
      if (svcs.length === 0) return ["no aws_ecs_service"];
      const v = svcs.flatMap((r) => {
        const cb = first(r.body.deployment_circuit_breaker) || {};
        return [
          ...(cb.enable === true && cb.rollback === true ? [] : [`${where(r)}: no circuit breaker with rollback`]),
          ...(r.body.enable_execute_command === true ? [] : [`${where(r)}: enable_execute_command is not true`]),
        ];
      });
      for (const r of resources(ctx, "aws_ecs_cluster")) {
        const s = (r.body.setting || []).find((x) => x.name === "containerInsights");
        if (!s || s.value !== "enabled") v.push(`${where(r)}: containerInsights is not enabled`);
      }
      return v;
    },
  },
  {
    id: "image-never-latest",
    desc: "no image tag latest anywhere; image variables refuse it",
    run: (ctx) => {
      const v = [];
      for (const d of all(ctx)) {
        for (const { s, file } of d.codeStrings) if (/:latest\b/.test(s)) v.push(`${file}: uses :latest`);
        for (const [n, b] of Object.entries(d.variables)) {
          if (/(^|_)image(_tag)?$/.test(n) && !JSON.stringify(validationsOf(ctx, d, n)).includes("latest")) {
            v.push(`${d.rel}: variable ${n} does not refuse latest`);
          }
        }
      }
      return v;
    },
  },
  {
    id: "alb-listeners",
    desc: "ALB: 80 redirects to HTTPS 443 (TLS 1.2+), targets on 8080 checked with /api/livez (never the worker's freshness), the target group handed out only once a listener uses it",
    run: (ctx) => {
      const listeners = resources(ctx, "aws_lb_listener");
      const tgs = resources(ctx, "aws_lb_target_group");
      if (!listeners.length || !tgs.length) return ["no ALB listeners or target group"];
      const v = [];
      const byPort = (p) => listeners.filter((r) => num(r.body.port) === p);
      if (!byPort(80).length || !byPort(443).length) v.push("listeners on 80 and 443 are required");
      for (const r of byPort(80)) {
        const a = first(r.body.default_action) || {};
        const red = first(a.redirect) || {};
        if (a.type !== "redirect" || red.protocol !== "HTTPS" || String(red.port) !== "443") v.push(`${where(r)}: port 80 does not redirect to HTTPS 443`);
      }
      for (const r of byPort(443)) {
        if (r.body.protocol !== "HTTPS" || !/^ELBSecurityPolicy-TLS13-/.test(String(r.body.ssl_policy))) v.push(`${where(r)}: 443 is not HTTPS with a TLS 1.3 policy`);
      }
      for (const r of tgs) {
        const hc = first(r.body.health_check) || {};
        v.push(...every(ctx, r.d, hc.path, (x) => x === "/api/livez", `${where(r)}: health check path`));
        v.push(...every(ctx, r.d, r.body.port, (x) => num(x) === 8080, `${where(r)}: port`));
        const out = Object.values(r.d.outputs).find((o) => String(o.value) === `\${aws_lb_target_group.${r.name}.arn}`);
        if (!out || !(out.depends_on || []).some((x) => /aws_lb_listener\./.test(x))) {
          v.push(`${where(r)}: its ARN is handed out before a listener uses it (output depends_on a listener)`);
        }
      }
      return v;
    },
  },
  {
    id: "nginx-autoscaling",
    desc: "production nginx runs 2 -> 3 tasks in two zones, scaling on CPU and ALB requests per target; the worker's first task on regular Fargate",
    run: (ctx) => {
      const v = [];
      const types = new Set(resources(ctx, "aws_appautoscaling_policy").map((r) => {
        const c = first(r.body.target_tracking_scaling_policy_configuration) || {};
        return (first(c.predefined_metric_specification) || {}).predefined_metric_type;
      }));
      for (const t of ["ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"]) if (!types.has(t)) v.push(`no target tracking on ${t}`);
      const prod = envCall(ctx, "prod", "ecs-service", "nginx");
      if (prod.length === 0) v.push("no nginx service in environments/prod");
      for (const c of prod) {
        v.push(...every(ctx, c.d, c.body.min_capacity, (x) => num(x) >= 2, "prod nginx min_capacity", c.via));
        v.push(...every(ctx, c.d, c.body.desired_count, (x) => num(x) >= 2, "prod nginx desired_count", c.via));
        v.push(...every(ctx, c.d, c.body.max_capacity, (x) => num(x) === 3, "prod nginx max_capacity", c.via));
        if (c.body.requests_per_target === undefined) v.push("prod nginx has no requests_per_target");
        if (!/^\$\{module\.[\w-]+\.public_subnet_ids\}$/.test(String(c.body.subnet_ids))) v.push("prod nginx is not given the subnets of both zones");
      }
      const workers = envCall(ctx, "prod", "ecs-service", "worker");
      if (workers.length === 0) v.push("no worker service in environments/prod");
      for (const c of workers) {
        const strategy = c.body.capacity_provider_strategy;
        const regular = Array.isArray(strategy) ? strategy.find((x) => x.capacity_provider === "FARGATE") : null;
        if (!regular || !(num(regular.base) >= 1)) v.push("prod worker's first task is not on regular Fargate (FARGATE base >= 1)");
      }
      return v;
    },
  },
  {
    id: "alarms",
    desc: "alarms on CPU/memory > 80, 5xx > 10/min, unhealthy hosts, RDS free storage < 20 %, no running task (ECS/ContainerInsights), worker heartbeat; all notify",
    run: (ctx) => {
      const ms = alarmMetrics(ctx);
      const v = [];
      const need = [
        ["AWS/ECS", "CPUUtilization", (t) => num(t) === 80],
        ["AWS/ECS", "MemoryUtilization", (t) => num(t) === 80],
        ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", (t, p) => num(t) === 10 && num(p) === 60],
        ["AWS/ApplicationELB", "UnHealthyHostCount", (t) => num(t) === 0],
        ["AWS/RDS", "FreeStorageSpace", (t) => /\*\s*0\.2\b/.test(String(t))],
        ["ECS/ContainerInsights", "RunningTaskCount", (t) => num(t) === 1],
        [null, "WorkerHeartbeat", (t) => num(t) === 1],
      ];
      for (const [ns, metric, ok] of need) {
        const found = ms.filter((m) => m.metric === metric && (ns === null || m.ns === ns));
        if (found.length === 0) v.push(`no alarm on ${ns || "*"} ${metric}`);
        else if (!found.some((m) => ok(m.threshold, m.period))) v.push(`alarm on ${metric} has the wrong threshold/period`);
      }
      for (const m of ms) if (m.metric === "RunningTaskCount" && m.ns !== "ECS/ContainerInsights") v.push(`${where(m.r)}: RunningTaskCount is published in ECS/ContainerInsights, not ${m.ns}`);
      for (const r of resources(ctx, "aws_cloudwatch_metric_alarm")) {
        if (!r.body.alarm_actions) v.push(`${where(r)} notifies no one`);
      }
      if (resources(ctx, "aws_sns_topic").length === 0) v.push("no SNS alert topic");
      if (resources(ctx, "aws_cloudwatch_dashboard").length === 0) v.push("no CloudWatch dashboard");
      return v;
    },
  },
  {
    id: "budget",
    desc: "a monthly AWS budget of 130 USD in production, with notifications, counting only its environment's costs (Environment tag, activated)",
    run: (ctx) => {
      const b = resources(ctx, "aws_budgets_budget");
      if (b.length === 0) return ["no aws_budgets_budget"];
      const v = [];
      for (const r of b) {
        if (r.body.limit_unit !== "USD" || r.body.time_unit !== "MONTHLY") v.push(`${where(r)} is not monthly in USD`);
        if (!r.body.notification && !r.body.dynamic?.notification) v.push(`${where(r)} has no notification`);
        const f = (r.body.cost_filter || []).find((x) => x.name === "TagKeyValue");
        if (!f || !/user:Environment\$/.test(JSON.stringify(f.values)) || !/var\.environment/.test(JSON.stringify(f.values))) {
          v.push(`${where(r)} counts the whole account (no TagKeyValue filter on user:Environment$<its environment>)`);
        }
      }
      const tags = resources(ctx, "aws_ce_cost_allocation_tag");
      if (!tags.some((r) => r.body.tag_key === "Environment" && r.body.status === "Active")) v.push("the Environment cost allocation tag is not activated");
      const prod = envCall(ctx, "prod", "monitoring");
      if (prod.length === 0) v.push("no monitoring in environments/prod");
      for (const c of prod) {
        v.push(...every(ctx, c.d, c.body.budget_limit_usd, (x) => num(x) === 130, "prod budget_limit_usd", c.via));
        v.push(...every(ctx, c.d, c.body.environment, (x) => x === "prod", "prod budget environment", c.via));
      }
      return v;
    },
  },
  {
    id: "backend-s3",
    desc: "each environment keeps its state in S3, encrypted, locked in DynamoDB, under its own key",
    run: (ctx) => {
      const envs = envDirs(ctx);
      if (envs.length === 0) return ["no environments"];
      const keys = new Map();
      return envs.flatMap((d) => {
        const s3 = d.terraform.map((t) => t.backend?.s3?.[0]).find(Boolean);
        if (!s3) return [`${d.rel}: no s3 backend`];
        const v = [];
        if (s3.encrypt !== true) v.push(`${d.rel}: backend encrypt is not true`);
        if (!s3.dynamodb_table) v.push(`${d.rel}: backend has no dynamodb_table`);
        if (keys.has(s3.key)) v.push(`${d.rel}: backend key ${s3.key} is also ${keys.get(s3.key)}'s`);
        keys.set(s3.key, d.rel);
        return v;
      });
    },
  },
  {
    id: "bootstrap-state",
    desc: "bootstrap: state bucket versioned, encrypted, private; lock table keyed by LockID",
    run: (ctx) => {
      const v = [];
      const ver = resources(ctx, "aws_s3_bucket_versioning");
      if (!ver.some((r) => first(r.body.versioning_configuration)?.status === "Enabled")) v.push("state bucket versioning is not Enabled");
      if (resources(ctx, "aws_s3_bucket_server_side_encryption_configuration").length === 0) v.push("state bucket has no encryption");
      const pab = resources(ctx, "aws_s3_bucket_public_access_block");
      if (!pab.some((r) => ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].every((k) => r.body[k] === true))) {
        v.push("state bucket public access is not fully blocked");
      }
      const t = resources(ctx, "aws_dynamodb_table");
      if (!t.some((r) => r.body.hash_key === "LockID" && (r.body.attribute || []).some((a) => a.name === "LockID" && a.type === "S"))) {
        v.push("no DynamoDB lock table keyed by LockID (S)");
      }
      return v;
    },
  },
  {
    id: "default-tags",
    desc: "every root configuration tags everything: Project, Environment, ManagedBy",
    run: (ctx) => {
      const roots = all(ctx).filter(isRoot);
      if (roots.length === 0) return ["no root configurations"];
      return roots.flatMap((d) => {
        const aws = d.providers.filter((p) => p.name === "aws");
        if (aws.length === 0) return [`${d.rel}: no aws provider`];
        return aws.flatMap((p) => {
          const tags = first(p.body.default_tags)?.tags || {};
          return ["Project", "Environment", "ManagedBy"].filter((k) => !(k in tags)).map((k) => `${d.rel}: default_tags lack ${k}`);
        });
      });
    },
  },
  {
    id: "no-committed-secrets",
    desc: "no tfvars file, no literal password, no secret in tfvars examples",
    run: (ctx) => {
      const v = [];
      for (const f of ctx.files) if (/\.tfvars(\.json)?$/.test(f)) v.push(`${path.relative(ctx.root, f)} must not be committed`);
      for (const d of all(ctx)) {
        for (const r of d.resources) {
          for (const [k, val] of Object.entries(r.body)) {
            if (/password|secret/i.test(k) && typeof val === "string" && !val.includes("${")) v.push(`${d.rel}: ${r.type}.${r.name}.${k} is a literal`);
          }
        }
        for (const k of Object.keys(d.tfvars)) if (/password|secret|token|key$/i.test(k)) v.push(`${d.rel}: tfvars example sets ${k}`);
      }
      return v;
    },
  },
  {
    id: "iam-least-privilege",
    desc: "IAM statements name their actions (no wildcards) and use Resource * only for actions that take no resource",
    run: (ctx) => {
      const NO_RESOURCE = new Set([
        "ecr:GetAuthorizationToken", "ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition",
        "ecs:ListTaskDefinitions", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
      ]);
      const v = [];
      for (const d of all(ctx)) {
        for (const doc of d.data.filter((x) => x.type === "aws_iam_policy_document")) {
          for (const st of doc.body.statement || []) {
            if (st.effect === "Deny") continue;
            const actions = Array.isArray(st.actions) ? st.actions : [];
            for (const a of actions) if (/\*/.test(a)) v.push(`${d.rel}: ${doc.name} allows ${a}`);
            const res = Array.isArray(st.resources) ? st.resources : [];
            if (res.includes("*")) {
              for (const a of actions) if (!NO_RESOURCE.has(a)) v.push(`${d.rel}: ${doc.name} allows ${a} on every resource`);
            }
          }
        }
      }
      return v;
    },
  },
  {
    id: "oidc-trust-scoped",
    desc: "roles assumed with a web identity trust one audience and one repository environment, no wildcard",
    run: (ctx) => {
      const v = [];
      let found = 0;
      for (const d of all(ctx)) {
        for (const doc of d.data.filter((x) => x.type === "aws_iam_policy_document")) {
          for (const st of doc.body.statement || []) {
            if (!(st.actions || []).includes("sts:AssumeRoleWithWebIdentity")) continue;
            found++;
            const conds = st.condition || [];
            const on = (suffix) => conds.find((c) => String(c.variable).endsWith(suffix));
            const aud = on(":aud"), sub = on(":sub");
            if (!aud || aud.test !== "StringEquals" || JSON.stringify(aud.values) !== JSON.stringify(["sts.amazonaws.com"])) {
              v.push(`${d.rel}: ${doc.name} does not pin the audience to sts.amazonaws.com`);
            }
            if (!sub || sub.test !== "StringEquals" || (sub.values || []).some((x) => /\*/.test(x) || !/:environment:/.test(x))) {
              v.push(`${d.rel}: ${doc.name} does not pin the subject to one repository environment`);
            }
          }
        }
      }
      if (found === 0) v.push("no role is assumed through OIDC (the deploy role)");
      return v;
    },
  },
  {
    id: "environments-thin",
    desc: "prod and staging are thin roots calling the one shared stack (no resources of their own), with moved blocks for every module the roots once called",
    run: (ctx) => {
      const envs = envDirs(ctx);
      const prod = envs.find((d) => d.rel === "environments/prod");
      const staging = envs.find((d) => d.rel === "environments/staging");
      if (!prod || !staging) return ["environments/prod and environments/staging are both required"];
      const stack = ctx.dirs.get(path.join(ctx.root, "modules", "stack"));
      if (!stack) return ["no modules/stack"];
      const v = [];
      for (const d of [prod, staging]) {
        const calls = Object.entries(d.modules);
        if (calls.length !== 1 || path.resolve(d.dir, String(calls[0][1].source)) !== stack.dir) v.push(`${d.rel} does not call modules/stack alone`);
        if (d.resources.length) v.push(`${d.rel} has resources of its own: ${d.resources.map((r) => r.type + "." + r.name).join(", ")}`);
        const moved = new Set(d.moved.map((m) => `${m.from}=>${m.to}`));
        for (const [name, body] of Object.entries(stack.modules)) {
          if (path.basename(String(body.source)) === "secret") continue; // new with the stack
          const want = `\${module.${name}}=>\${module.stack.module.${name}}`;
          if (!moved.has(want)) v.push(`${d.rel}: no moved block from module.${name} to module.stack.module.${name}`);
        }
      }
      return v;
    },
  },
  {
    id: "no-secret-in-state",
    desc: "no random provider; generated secrets are drawn ephemerally and written write-only",
    run: (ctx) => {
      const v = [];
      for (const d of all(ctx)) {
        for (const t of d.terraform) if (t.required_providers?.[0]?.random || t.required_providers?.random) v.push(`${d.rel}: requires the random provider`);
        for (const r of d.resources) if (r.type.startsWith("random_")) v.push(`${d.rel}: ${r.type}.${r.name} keeps a secret in the state`);
        for (const r of d.resources.filter((x) => x.type === "aws_secretsmanager_secret_version" || x.type === "aws_ssm_parameter")) {
          if ("secret_string" in r.body || "value" in r.body) v.push(`${d.rel}: ${r.type}.${r.name} writes its value into the state (use the write-only argument)`);
        }
      }
      return v;
    },
  },
];

// --- main -------------------------------------------------------------------------------

async function main() {
  const args = process.argv.slice(2);
  const selfTest = args[0] === "--every-rule-fails";
  const root = path.resolve(selfTest ? args[1] : args[0] || "terraform");
  const ctx = await load(root);
  let failed = 0;
  const silent = [];
  const seen = [];
  for (const rule of RULES) {
    const v = rule.run(ctx);
    seen.push(...v);
    if (selfTest) {
      if (v.length === 0) { silent.push(rule.id); console.log(`not ok - ${rule.id} reports nothing on the bad tree`); }
      else console.log(`ok - ${rule.id} flags the bad tree (${v.length}: ${v[0]})`);
      continue;
    }
    if (v.length === 0) console.log(`ok - ${rule.id}: ${rule.desc}`);
    else {
      failed++;
      console.log(`not ok - ${rule.id}: ${rule.desc}`);
      for (const x of v) console.log(`#   ${x}`);
    }
  }
  const tf = ctx.files.filter((f) => f.endsWith(".tf")).length;
  if (selfTest) {
    // each assertion inside the rules, listed in ROOT/expected.txt
    const exp = path.join(root, "expected.txt");
    const want = fs.existsSync(exp)
      ? fs.readFileSync(exp, "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"))
      : [];
    const missed = want.filter((w) => !seen.some((x) => x.includes(w)));
    for (const w of want) console.log(`${missed.includes(w) ? "not ok" : "ok"} - flags: ${w}`);
    console.log(`tf-policy self-test: ${RULES.length - silent.length} of ${RULES.length} rules can fail, ` +
      `${want.length - missed.length} of ${want.length} expected violations seen`);
    process.exit(silent.length || missed.length ? 1 : 0);
  }
  console.log(`tf-policy: ${tf} .tf files in ${ctx.dirs.size} directories, ${RULES.length - failed} of ${RULES.length} rules hold`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(2); });
