import { shellWord } from "../shared/shell-words.js";

export { formatTable } from "../shared/table.js";
export { shellWord };

/** "2026-11-23" from an ISO timestamp; "-" when absent. */
export const shortDate = (iso: string | null | undefined): string => (iso ? iso.slice(0, 10) : "-");

/** A command line as a POSIX shell would need it typed. */
export const commandLineOf = (argv: string[]): string => ["rolectl", ...argv].map(shellWord).join(" ");
