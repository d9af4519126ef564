import { Chalk, type ChalkInstance } from "chalk";
import type { RolectlError } from "../shared/errors.js";
import { terminalSafe } from "../shared/terminal.js";

// Results go to stdout (human text, or exactly one JSON document with --json); everything
// else (progress, warnings, debug, errors) goes to stderr so that `$(rolectl …)` and pipes
// get only the result.

export interface Stream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface OutputOptions {
  json: boolean;
  debug: boolean;
  stdout: Stream;
  stderr: Stream;
  /** Colour on stderr/stdout: only on a TTY and never with NO_COLOR. */
  color: boolean;
  /** Shared by every Output of one run, so the final error message is masked too. */
  secrets?: Set<string>;
}

export interface Output {
  readonly json: boolean;
  readonly color: ChalkInstance;
  /** Prints the command's result: `human()` text normally, `data` as JSON with --json. */
  result(data: unknown, human: () => string): void;
  /** Writes text to stdout as it is (credentials in a shell format, for instance). */
  raw(text: string): void;
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  error(err: RolectlError): void;
  /** Values that must never reach stderr; they are masked if they ever do. */
  addSecret(value: string | undefined): void;
  readonly stderr: Stream;
}

export function colorEnabled(stream: Stream, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

export function createOutput(options: OutputOptions): Output {
  const color = new Chalk({ level: options.color ? 1 : 0 });
  const secrets = options.secrets ?? new Set<string>();
  const mask = (text: string) => {
    let out = text;
    for (const s of secrets) {
      // A short secret (an MFA code) only as a whole token: "123456" must not mask an account id.
      out =
        s.length >= 12
          ? out.split(s).join("****")
          : out.replace(
              new RegExp(`(?<![A-Za-z0-9])${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9])`, "g"),
              "****",
            );
    }
    return out;
  };
  const err = (line: string) => options.stderr.write(`${mask(line)}\n`);
  const t = terminalSafe;

  return {
    json: options.json,
    color,
    stderr: options.stderr,
    result(data, human) {
      if (options.json) options.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      else {
        const text = t(human());
        if (text !== "") options.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
      }
    },
    raw(text) {
      options.stdout.write(text);
    },
    info(message) {
      err(t(message));
    },
    warn(message) {
      err(`${color.yellow("warning:")} ${t(message)}`);
    },
    debug(message) {
      if (options.debug) err(color.dim(`debug: ${t(message)}`));
    },
    error(e) {
      if (options.json) {
        // Stable keys, as every --json document: null when there is no hint or detail.
        err(
          JSON.stringify({
            error: { code: e.code, message: e.message, hint: e.hint ?? null, details: e.details ?? null },
          }),
        );
        return;
      }
      err(`${color.red("error:")} ${t(e.message)}`);
      if (e.hint) err(`${color.dim("hint:")} ${t(e.hint)}`);
    },
    addSecret(value) {
      if (value && value.length >= 4) secrets.add(value);
    },
  };
}
