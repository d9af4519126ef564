export { formatTable } from "../shared/table.js";

/** "2026-11-23" from an ISO timestamp; "-" when absent. */
export const shortDate = (iso: string | null | undefined): string => (iso ? iso.slice(0, 10) : "-");

/** One word for a POSIX shell and for Python's shlex alike: quoted only when it must be. */
export const shellWord = (arg: string) =>
  /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;

/** A command line as a POSIX shell would need it typed. */
export const commandLineOf = (argv: string[]): string => ["rolectl", ...argv].map(shellWord).join(" ");
