import { Command, Option } from "commander";
import { usageError } from "../shared/errors.js";
import { VERSION } from "../version.js";
import { type CommandRunner, commandRunner } from "./action.js";
import { registerAmplify } from "./commands/amplify.js";
import { registerAmplifyCompute } from "./commands/amplify-compute.js";
import { registerAssume } from "./commands/assume.js";
import { registerAudit } from "./commands/audit.js";
import { registerCache } from "./commands/cache.js";
import { registerCrossAccount } from "./commands/cross-account/index.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerPolicy } from "./commands/policy.js";
import { registerRole } from "./commands/role/index.js";
import { registerServiceLinkedRole } from "./commands/service-linked-role.js";
import { registerSso } from "./commands/sso.js";
import { registerWhoami } from "./commands/whoami.js";
import type { ProcessIo } from "./context.js";
import { withExamples } from "./help.js";

type Register = (program: Command, run: CommandRunner) => void;

function registerCompletion(program: Command, run: CommandRunner): void {
  withExamples(
    program
      .command("completion")
      .argument("<shell>", `one of ${["bash", "zsh", "fish"].join(", ")}`)
      .description("print a shell completion script (commands, options, and profile names from your files)"),
    [
      'eval "$(rolectl completion bash)"',
      'eval "$(rolectl completion zsh)"',
      "rolectl completion fish | source",
    ],
  ).action(
    run(async (ctx, _o, args) => {
      const { completionScript, SHELLS } = await import("./completion.js");
      const shell = args[0] as string;
      if (!(SHELLS as readonly string[]).includes(shell))
        throw usageError(
          "invalid_value",
          `Invalid shell ${JSON.stringify(shell)}: must be one of ${SHELLS.join(", ")}.`,
        );
      ctx.out.raw(completionScript(program, shell as (typeof SHELLS)[number]));
    }),
  );
}

/** Command groups, each declared in its own file under src/cli/commands. */
const COMMANDS: Register[] = [
  registerWhoami,
  registerAmplify,
  registerAmplifyCompute,
  registerPolicy,
  registerRole,
  registerCrossAccount,
  registerAssume,
  registerCache,
  registerSso,
  registerAudit,
  registerDoctor,
  registerServiceLinkedRole,
  registerCompletion,
];

export interface ProgramHooks {
  /** Called with commander's own error text (unknown option, missing argument …). */
  onParseError(message: string): void;
}

export function buildProgram(io: ProcessIo, hooks: ProgramHooks): Command {
  const program = new Command("rolectl")
    .description(
      "Provision AWS IAM roles, then hand their credentials to people and CI.\n" +
        "Results go to stdout (--json for one JSON document); progress and errors go to stderr.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help for a command")
    .option("--profile <name>", "AWS profile to use (env AWS_PROFILE)")
    .option("--region <region>", "AWS region (env AWS_REGION, AWS_DEFAULT_REGION; default us-east-1)")
    .option(
      "--endpoint-url <url>",
      "send every AWS call to this URL, e.g. a local emulator (env AWS_ENDPOINT_URL)",
    )
    .option("--json", "print the result as one JSON document; errors as JSON on stderr")
    .option("--no-input", "never prompt: a missing value is an error (env ROLECTL_NO_INPUT=1, CI=true)")
    .option("-y, --yes", "answer yes to confirmations")
    .option("--dry-run", "show what would change without changing anything")
    .addOption(new Option("--debug", "log each AWS call (never secrets) to stderr"))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s) => hooks.onParseError(s),
    })
    .configureHelp({ sortSubcommands: true, showGlobalOptions: true });

  withExamples(program, [
    "rolectl whoami --profile devadmin",
    "rolectl whoami --endpoint-url http://127.0.0.1:5000 --json",
    "rolectl <command> --help",
  ]);
  program.addHelpText(
    "after",
    "\nExit status:\n  0 ok, 1 internal error, 2 usage or bad value, 3 configuration or not found,\n" +
      "  4 authentication (access denied, MFA, expired), 5 conflict, 130 interrupted\n",
  );

  const run = commandRunner(io);
  for (const register of COMMANDS) register(program, run);
  return program;
}
