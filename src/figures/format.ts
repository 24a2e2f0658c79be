// Number formatting shared by figures, captions and the article text. Pure; no DOM.

/** A weight or other signed value to `digits` decimals, with a real minus sign. */
export function formatSigned(v: number, digits = 2): string {
  const s = Math.abs(v).toFixed(digits);
  return (v < 0 && Number(s) !== 0 ? "−" : "") + s;
}

/** A density such as 1, 0.3, 0.05 or 0.125: the shortest decimal that round-trips to 3 significant figures. */
export function formatDensity(d: number): string {
  return String(Number(d.toPrecision(3)));
}

/** A loss: 3 significant figures, scientific notation below 1e-3 ("2.31 × 10⁻⁴"). */
export function formatLoss(v: number, digits = 3): string {
  if (v === 0) return "0";
  if (Math.abs(v) >= 1e-3) return String(Number(v.toPrecision(digits)));
  const [mantissa, exponent] = v.toExponential(digits - 1).split("e");
  return `${mantissa} × 10${superscript(Number(exponent))}`;
}

const SUPERSCRIPTS: Record<string, string> = { "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹" };

export function superscript(n: number): string {
  return String(n)
    .split("")
    .map((c) => SUPERSCRIPTS[c] ?? c)
    .join("");
}

/** Seconds as "5.6 s" (a GPU run takes seconds: one decimal below 10), "12 s", "3.4 min" or "2.1 h". */
export function formatDuration(seconds: number): string {
  if (seconds < 9.95) return `${seconds.toFixed(1)} s`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Small counts in words (as in prose: "three features"), larger ones as digits. */
export function countWord(n: number): string {
  const words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
  return Number.isInteger(n) && n >= 0 && n < words.length ? words[n] : String(n);
}
