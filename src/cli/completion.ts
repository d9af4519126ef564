import type { Command } from "commander";

// `rolectl completion bash|zsh|fish`: a script built from the command tree itself, so it never
// drifts from the real commands and options. Profile names come from the config and credentials
// files when the user presses Tab (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE honoured).

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

interface Node {
  path: string;
  commands: string[];
  options: string[];
}

function walk(cmd: Command, path: string[], globals: string[], out: Node[]): void {
  const own = cmd.options.map((o) => o.long ?? o.short ?? "").filter(Boolean);
  const options = [...(path.length ? globals : own), ...own, "--help"];
  const subs = cmd.commands.filter((c) => c.name() !== "help");
  out.push({ path: path.join(" "), commands: subs.map((c) => c.name()), options: [...new Set(options)] });
  // A command is reachable by its name and by each alias (`slr` for service-linked-role).
  for (const sub of subs)
    for (const name of [sub.name(), ...sub.aliases()]) walk(sub, [...path, name], globals, out);
}

function tree(program: Command): Node[] {
  const globals = program.options.map((o) => o.long ?? "").filter((o) => o && o !== "--version");
  const out: Node[] = [];
  walk(program, [], globals, out);
  return out;
}

const PROFILES_SH = `{ sed -n 's/^[[:space:]]*\\[profile[[:space:]]\\{1,\\}\\([^]]*\\)\\].*/\\1/p; s/^[[:space:]]*\\[\\(default\\)\\].*/\\1/p' "\${AWS_CONFIG_FILE:-$HOME/.aws/config}"; sed -n 's/^[[:space:]]*\\[\\([^]]*\\)\\].*/\\1/p' "\${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}"; } 2>/dev/null | sort -u`;

function bash(nodes: Node[]): string {
  const cases = nodes
    .map((n) => `    "${n.path}") words="${[...n.commands, ...n.options].join(" ")}" ;;`)
    .join("\n");
  const known = nodes.map((n) => n.path).filter(Boolean);
  return `# rolectl completion for bash: eval "$(rolectl completion bash)" (or save it under bash-completion's completions dir)
_rolectl() {
  local cur prev path="" word i words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$prev" = "--profile" ] || [ "$prev" = "--source-profile" ] || [ "$prev" = "--trusting-profile" ] || [ "$prev" = "--trusted-profile" ]; then
    # Names are data, never words for compgen -W (which would expand $(...) in a header).
    local p
    COMPREPLY=()
    while IFS= read -r p; do
      [[ "$p" == "$cur"* ]] && COMPREPLY+=("$p")
    done < <(${PROFILES_SH})
    return
  fi
  local known="|${known.join("|")}|"
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$word" in -*) continue ;; esac
    case "$known" in
      *"|\${path:+$path }$word|"*) path="\${path:+$path }$word" ;;
    esac
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _rolectl rolectl
`;
}

function zsh(nodes: Node[]): string {
  return `# rolectl completion for zsh: eval "$(rolectl completion zsh)"
autoload -U +X bashcompinit && bashcompinit
${bash(nodes).split("\n").slice(1).join("\n")}`;
}

function fish(nodes: Node[]): string {
  const sedConfig = String.raw`sed -n 's/^[[:space:]]*\[profile[[:space:]]\{1,\}\([^]]*\)\].*/\1/p; s/^[[:space:]]*\[\(default\)\].*/\1/p'`;
  const sedCredentials = String.raw`sed -n 's/^[[:space:]]*\[\([^]]*\)\].*/\1/p'`;
  const lines = [
    "# rolectl completion for fish: rolectl completion fish | source (or save as ~/.config/fish/completions/rolectl.fish)",
    "complete -c rolectl -f",
    "function __rolectl_profiles",
    "  set -l config $HOME/.aws/config; set -q AWS_CONFIG_FILE; and set config $AWS_CONFIG_FILE",
    "  set -l creds $HOME/.aws/credentials; set -q AWS_SHARED_CREDENTIALS_FILE; and set creds $AWS_SHARED_CREDENTIALS_FILE",
    `  begin; ${sedConfig} $config; ${sedCredentials} $creds; end 2>/dev/null | sort -u`,
    "end",
    ...["profile", "source-profile", "trusting-profile", "trusted-profile"].map(
      (o) => `complete -c rolectl -l ${o} -x -a '(__rolectl_profiles)'`,
    ),
  ];
  for (const n of nodes) {
    const parts = n.path ? n.path.split(" ") : [];
    const seen = parts.map((p) => `__fish_seen_subcommand_from ${p}`).join("; and ");
    const here = parts.length ? seen : "__fish_use_subcommand";
    const fresh = n.commands.length
      ? `${here}; and not __fish_seen_subcommand_from ${n.commands.join(" ")}`
      : here;
    for (const c of n.commands) lines.push(`complete -c rolectl -n '${fresh}' -a ${c}`);
    for (const o of n.options.filter((o) => o.startsWith("--")))
      lines.push(`complete -c rolectl -n '${here}' -l ${o.slice(2)}`);
  }
  return `${lines.join("\n")}\n`;
}

export function completionScript(program: Command, shell: Shell): string {
  const nodes = tree(program);
  return shell === "bash" ? bash(nodes) : shell === "zsh" ? zsh(nodes) : fish(nodes);
}
