// Host patterns as Ansible's --limit takes them: names, groups, globs (web*), ~regex, lists
// separated by ',' or ':', '&' to intersect, '!' to exclude. Unions first, then intersections,
// then exclusions, whatever their order, as Ansible applies them.
import { UserError } from "../errors.js";
import type { Host, Inventory } from "../inventory/types.js";
import { didYouMean } from "../util/suggest.js";

/** fnmatch as Ansible uses it: *, ?, [abc], [a-z], [!abc]; everything else literal. */
function globRegex(glob: string): RegExp {
  let body = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    const close = c === "[" ? glob.indexOf("]", i + 2) : -1;
    if (c === "*") body += ".*";
    else if (c === "?") body += ".";
    else if (close > 0) {
      const set = glob.slice(i + 1, close).replace(/\\/g, "\\\\");
      body += set.startsWith("!") ? `[^${set.slice(1)}]` : `[${set}]`;
      i = close;
    } else body += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${body}$`);
}

/** The hosts one pattern word names (without its & or ! prefix). */
function matchWord(word: string, hosts: readonly Host[], file: string): Host[] {
  if (word === "all" || word === "*") return [...hosts];
  let test: (name: string) => boolean;
  if (word.startsWith("~")) {
    let re: RegExp;
    try {
      re = new RegExp(word.slice(1));
    } catch (err) {
      throw new UserError(
        `--limit: '${word}' is not a valid regular expression: ${(err as Error).message}`,
      );
    }
    test = (n) => re.test(n);
  } else if (/[*?[]/.test(word)) {
    const re = globRegex(word);
    test = (n) => re.test(n);
  } else {
    test = (n) => n === word;
  }
  const found = hosts.filter((h) => test(h.name) || h.groups.some((g) => g !== "all" && test(g)));
  if (found.length === 0) {
    const names = [...new Set(hosts.flatMap((h) => [h.name, ...h.groups]))];
    const guess = word.startsWith("~") ? undefined : didYouMean(word, names);
    throw new UserError(`--limit: '${word}' matches no host or group in ${file}`, {
      hint: `${guess ? `Did you mean '${guess}'? ` : ""}Hosts and groups: ${names.join(", ")}`,
    });
  }
  return found;
}

/** The inventory's hosts a pattern selects, in inventory order; no match at all is an error. */
export function limitHosts(inventory: Inventory, pattern: string): Host[] {
  const words = pattern
    .split(/[,:]/)
    .map((w) => w.trim())
    .filter((w) => w !== "");
  if (words.length === 0) throw new UserError("--limit needs a host, group or pattern");
  const union = new Set<Host>();
  const plain = words.filter((w) => !w.startsWith("&") && !w.startsWith("!"));
  for (const w of plain.length > 0 ? plain : ["all"])
    for (const h of matchWord(w, inventory.hosts, inventory.file)) union.add(h);
  let chosen = inventory.hosts.filter((h) => union.has(h));
  for (const w of words.filter((x) => x.startsWith("&"))) {
    const keep = new Set(matchWord(w.slice(1), inventory.hosts, inventory.file));
    chosen = chosen.filter((h) => keep.has(h));
  }
  for (const w of words.filter((x) => x.startsWith("!"))) {
    const drop = new Set(matchWord(w.slice(1), inventory.hosts, inventory.file));
    chosen = chosen.filter((h) => !drop.has(h));
  }
  if (chosen.length === 0)
    throw new UserError(`--limit '${pattern}' leaves no host`, {
      hint: "Its exclusions or intersections remove every host the rest selects.",
    });
  return chosen;
}

/** The --limit option's help, the same on every command that takes it. */
export const LIMIT_HELP =
  "hosts to work on, as Ansible's patterns: names, groups, globs (eu-*), ~regex, lists (a,b), &intersect, !exclude";
