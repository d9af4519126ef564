import qrcode from "qrcode-generator";

// A QR code drawn in a terminal: black on white whatever the terminal's theme (a scanner needs
// dark modules on a light ground), a 4-module quiet zone as the QR specification asks, and two
// module rows per line in half blocks, so that the code for an AWS MFA seed fits 80×24.

const QUIET_ZONE = 4;
// 256-colour black and white: the 16 base colours are remapped by many themes.
const BLACK_ON_WHITE = "\x1b[38;5;16;48;5;231m";
const RESET = "\x1b[0m";

/** The modules of a QR code (true = dark), quiet zone included. */
export function qrModules(text: string): boolean[][] {
  const code = qrcode(0, "L");
  // A trailing run of upper-case letters and digits (a base32 MFA seed) is encoded in the
  // alphanumeric mode: 5.5 bits a character instead of 8, which keeps the code a size smaller.
  const tail = /[A-Z0-9]{16,}$/.exec(text)?.[0] ?? "";
  if (tail.length < text.length) code.addData(text.slice(0, text.length - tail.length), "Byte");
  if (tail) code.addData(tail, "Alphanumeric");
  code.make();
  const count = code.getModuleCount();
  const size = count + 2 * QUIET_ZONE;
  return Array.from({ length: size }, (_, row) =>
    Array.from({ length: size }, (_, col) => {
      const r = row - QUIET_ZONE;
      const c = col - QUIET_ZONE;
      return r >= 0 && c >= 0 && r < count && c < count && code.isDark(r, c);
    }),
  );
}

const HALF_BLOCKS: Record<string, string> = { "00": " ", "10": "▀", "01": "▄", "11": "█" };

/** The code as terminal lines, two module rows per line, each line black on white. */
export function qrLines(text: string): string[] {
  const modules = qrModules(text);
  const lines: string[] = [];
  for (let row = 0; row < modules.length; row += 2) {
    const top = modules[row] ?? [];
    const bottom = modules[row + 1] ?? [];
    const cells = top.map((dark, col) => HALF_BLOCKS[`${dark ? 1 : 0}${bottom[col] ? 1 : 0}`]);
    lines.push(`${BLACK_ON_WHITE}${cells.join("")}${RESET}`);
  }
  return lines;
}

/** The width of a QR line on screen (its colour codes take no room). */
export const qrWidth = (lines: string[]): number =>
  Math.max(0, (lines[0] ?? "").length - BLACK_ON_WHITE.length - RESET.length);

/**
 * The code with text beside it when the terminal is wide enough (so that the code and the first
 * prompt fit one screen), or below it otherwise.
 */
export function qrWithText(text: string, side: string[], columns: number): string {
  const lines = qrLines(text);
  const width = qrWidth(lines);
  const sideWidth = Math.max(0, ...side.map((s) => s.length));
  if (width + 2 + sideWidth > columns) return [...lines, ...side].join("\n");
  // Beside the code, starting on its second line, clear of the quiet zone's edge.
  return lines.map((line, i) => (side[i - 1] !== undefined ? `${line}  ${side[i - 1]}` : line)).join("\n");
}

/** A base32 secret in groups of four, as authenticator apps show it and people type it. */
export const groupedInFours = (secret: string): string => secret.replace(/(.{4})(?=.)/g, "$1 ");
