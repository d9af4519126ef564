/** Left-aligned columns separated by two spaces; the header first. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** "2026-11-23" from an ISO timestamp; "-" when absent. */
export const shortDate = (iso: string | null | undefined): string => (iso ? iso.slice(0, 10) : "-");

/** One word for a POSIX shell and for Python's shlex alike: quoted only when it must be. */
export const shellWord = (arg: string) =>
  /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;

/** A command line as a POSIX shell would need it typed. */
export const commandLineOf = (argv: string[]): string => ["rolectl", ...argv].map(shellWord).join(" ");
