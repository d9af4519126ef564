/**
 * Text for a terminal, whatever it quotes (a profile name from a file, an AWS message): control
 * characters are shown as \xNN, so a value cannot move the cursor, retitle the window, write the
 * clipboard or hide a line with \r. Line breaks, tabs and colour (SGR) sequences stay.
 */
export function terminalSafe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
  return text.replace(/\u001b\[[0-9;]*m|[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) =>
    c.length > 1 ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
