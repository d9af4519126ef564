import type { Command } from "commander";
import { type AuditResult, atOrAbove, auditRoles, type Finding, toSarif } from "../../core/audit/audit.js";
import { SEVERITIES, type Severity } from "../../core/audit/trust-rules.js";
import { ExitCode, usageError } from "../../shared/errors.js";
import { VERSION } from "../../version.js";
import type { CommandRunner } from "../action.js";
import { withExamples } from "../help.js";
import { collect } from "../options.js";
import { formatTable } from "../render.js";

interface AuditOptions {
  role: string[];
  file: string[];
  unusedDays: string;
  failOn: string;
  format: string;
}

const FORMATS = ["table", "json", "sarif"] as const;

function checkOptions(o: AuditOptions): {
  unusedDays: number;
  failOn: Severity;
  format: (typeof FORMATS)[number];
} {
  const unusedDays = Number(o.unusedDays);
  if (!/^\d{1,5}$/.test(o.unusedDays) || unusedDays < 1)
    throw usageError(
      "invalid_value",
      `Invalid --unused-days ${JSON.stringify(o.unusedDays)}: a whole number of days, 1 or more.`,
    );
  if (!(SEVERITIES as readonly string[]).includes(o.failOn))
    throw usageError(
      "invalid_value",
      `Invalid --fail-on ${JSON.stringify(o.failOn)}: one of ${SEVERITIES.join(", ")}.`,
    );
  if (!(FORMATS as readonly string[]).includes(o.format))
    throw usageError(
      "invalid_value",
      `Invalid --format ${JSON.stringify(o.format)}: one of ${FORMATS.join(", ")}.`,
    );
  if (o.file.length && o.role.length)
    throw usageError("usage", "--file audits files offline; --role audits the account. Give one.");
  return { unusedDays, failOn: o.failOn as Severity, format: o.format as (typeof FORMATS)[number] };
}

const table = (findings: Finding[]) =>
  formatTable(
    ["SEVERITY", "RULE", "ROLE", "STMT", "FINDING"],
    findings.map((f) => [f.severity, f.rule, f.role, f.statement ? String(f.statement) : "-", f.message]),
  );

export function registerAudit(program: Command, run: CommandRunner): void {
  withExamples(
    program
      .command("audit")
      .description(
        "find roles the wrong party could assume (trust policies) and unused administrator roles; exit 6 when a finding reaches --fail-on",
      )
      .option(
        "--role <name>",
        "audit this role (repeatable); default: every role in the account",
        collect,
        [],
      )
      .option(
        "--file <path>",
        "audit a trust policy or JSON CloudFormation template offline (repeatable; no AWS call)",
        collect,
        [],
      )
      .option("--unused-days <n>", "an administrator role unused this long is a finding", "90")
      .option(
        "--fail-on <severity>",
        `exit 6 when a finding is this severe or worse (${SEVERITIES.join(", ")})`,
        "high",
      )
      .option("--format <format>", `output: ${FORMATS.join(", ")} (--json is json)`, "table"),
    [
      "rolectl audit --profile bizadmin",
      "rolectl audit --profile bizadmin --role GitHubDeploy --json",
      "rolectl audit --file template.json --format sarif > rolectl.sarif",
    ],
  ).action(
    run<AuditOptions>(async (ctx, opts) => {
      const o = checkOptions(opts);
      const format = ctx.opts.json ? "json" : o.format;
      const { rolesFromAccount, rolesFromFile } = await import("../../core/audit/sources.js");
      let roles: Awaited<ReturnType<typeof rolesFromAccount>>;
      if (opts.file.length) roles = opts.file.flatMap((f) => rolesFromFile(f));
      else {
        const iam = await ctx.iam();
        const spinner = await ctx.progress("Listing roles");
        try {
          roles = await rolesFromAccount(iam, {
            ...(opts.role.length ? { names: opts.role } : {}),
            concurrency: 8,
            progress: (done, total) => spinner.update(`Reading roles: ${done}/${total}`),
          });
          spinner.stop();
        } catch (err) {
          spinner.fail();
          throw err;
        }
      }
      const result: AuditResult = auditRoles(roles, { unusedDays: o.unusedDays, now: Date.now() });
      const failing = result.findings.filter((f) => atOrAbove(f.severity, o.failOn));
      if (format === "sarif") {
        const sarif = toSarif(result, VERSION, (role) =>
          opts.file.length ? (role.split("#")[0] ?? role) : `iam/role/${role}`,
        );
        ctx.out.result(sarif, () => JSON.stringify(sarif, null, 2));
      } else
        ctx.out.result(
          {
            roles: result.roles,
            failOn: o.failOn,
            failing: failing.length,
            findings: result.findings,
            serviceLinked: result.serviceLinked,
          },
          () =>
            [
              result.findings.length ? table(result.findings) : `No findings in ${result.roles} role(s).`,
              ...(result.serviceLinked.length
                ? [
                    "",
                    "Service-linked roles (AWS writes their trust; shown apart):",
                    table(result.serviceLinked),
                  ]
                : []),
              "",
              `${result.roles} role(s), ${result.findings.length} finding(s), ${failing.length} at or above ${o.failOn}.`,
            ].join("\n"),
        );
      if (failing.length) ctx.setExitCode(ExitCode.findings);
    }),
  );
}
