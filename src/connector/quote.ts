/** POSIX shell single-quoting: the value becomes one literal word, whatever it contains. */
export function q(value: string | number): string {
  const s = String(value);
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A command line from words, each quoted. */
export function cmd(...words: (string | number)[]): string {
  return words.map(q).join(" ");
}
