import { type Command, Option } from "commander";

// One name for one idea across commands (--trust-account, --managed-policy, --duration), with
// the other spelling kept as a hidden alias. Both options write the same attribute, so a
// repeatable one collects from either spelling and the command's code reads one field.

class NamedOption extends Option {
  constructor(
    flags: string,
    description: string,
    private readonly attribute: string,
  ) {
    super(flags, description);
  }

  override attributeName(): string {
    return this.attribute;
  }
}

export interface AliasedOption {
  /** The name shown in help, e.g. "--trust-account <id>". */
  flags: string;
  /** The other spelling accepted, e.g. "--trusted-account". */
  alias: string;
  description: string;
  /** The field the command reads (kept when a command's code predates the shared name). */
  attribute: string;
  parse?: (value: string, previous: string[] | undefined) => string[];
}

export function addAliasedOption(cmd: Command, o: AliasedOption): Command {
  const argument = o.flags.slice(o.flags.indexOf(" "));
  const shown = new NamedOption(o.flags, o.description, o.attribute);
  const hidden = new NamedOption(
    `${o.alias}${argument}`,
    `same as ${o.flags.split(" ")[0]}`,
    o.attribute,
  ).hideHelp();
  if (o.parse) {
    shown.argParser(o.parse);
    hidden.argParser(o.parse);
  }
  return cmd.addOption(shown).addOption(hidden);
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
