import jsQRModule from "jsqr";

// jsqr is a CommonJS module whose types describe its `default` property.
const jsQR = jsQRModule.default;

// Scans a QR code drawn in a terminal the way a phone would: the half-block characters on screen
// become pixels (4 a module, white where nothing is drawn) and a real QR decoder reads them.

const PIXELS = 4;
const DRAWN = /^[ ▀▄█]+/;

/** The text of the first QR code on a screen (escape codes already stripped), or null. */
export function scanQr(screen: string): string | null {
  const lines = screen.split(/\r?\n/);
  const first = lines.findIndex((l) => /[▀▄█]/.test(l));
  if (first < 0) return null;
  const rows: boolean[][] = [];
  for (const line of lines.slice(first)) {
    const drawn = DRAWN.exec(line)?.[0] ?? "";
    if (!/[▀▄█]/.test(drawn)) break;
    rows.push([...drawn].map((c) => c === "▀" || c === "█"));
    rows.push([...drawn].map((c) => c === "▄" || c === "█"));
  }
  const margin = 8;
  const width = (Math.max(...rows.map((r) => r.length)) + 2 * margin) * PIXELS;
  const height = (rows.length + 2 * margin) * PIXELS;
  const image = new Uint8ClampedArray(width * height * 4).fill(255);
  for (const [r, row] of rows.entries())
    for (const [c, dark] of row.entries())
      for (let y = 0; dark && y < PIXELS; y++)
        for (let x = 0; x < PIXELS; x++) {
          const at = (((r + margin) * PIXELS + y) * width + (c + margin) * PIXELS + x) * 4;
          image.fill(0, at, at + 3);
        }
  // Not inverted: a code drawn white on black would be a bug, not something to decode.
  return jsQR(image, width, height, { inversionAttempts: "dontInvert" })?.data ?? null;
}
