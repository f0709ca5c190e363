import type { Command, Option } from "commander";
import type { Context } from "../../cli/context.js";
import { EXIT_OK, UserError } from "../../errors.js";
import { loadInventory } from "../../inventory/load.js";

/** Printed instead of candidates when the shell should complete file names itself. */
const FILES = ":files";
const FILE_OPTIONS = new Set(["-i", "--inventory", "--out", "--to", "--from", "--dump-dir"]);
const HOST_OPTIONS = new Set(["--host", "--limit"]);

const SCRIPTS: Record<string, string> = {
  bash: `# bash completion for provision
_provision() {
  local cur=\${COMP_WORDS[COMP_CWORD]} IFS=$'\\n' out
  out=$(provision __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  if [ "$out" = "${FILES}" ]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$out" -- "$cur"))
  fi
}
complete -o default -F _provision provision
`,
  zsh: `#compdef provision
# zsh completion for provision
_provision() {
  local -a out
  out=("\${(@f)$(provision __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ "\${out[1]}" == "${FILES}" ]]; then
    _files
  else
    compadd -- "\${out[@]}"
  fi
}
compdef _provision provision
`,
  fish: `# fish completion for provision
function __provision_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l out (provision __complete -- $words[2..-1] 2>/dev/null)
    if test "$out" = "${FILES}"
        __fish_complete_path (commandline -ct)
    else
        printf '%s\\n' $out
    end
end
complete -c provision -f -a '(__provision_complete)'
`,
};

export async function script(ctx: Context, shell: string): Promise<number> {
  const text = SCRIPTS[shell];
  if (!text)
    throw new UserError(`no completion for '${shell}'`, {
      hint: `Choose one of ${Object.keys(SCRIPTS).join(", ")}.`,
    });
  ctx.out.line(text.trimEnd());
  return EXIT_OK;
}

const optionNames = (cmd: Command) =>
  (cmd.options as readonly Option[])
    .flatMap((o) => [o.long, o.short])
    .filter((n): n is string => !!n);

/** Host and group names of the inventory the words name (-i FILE), or of ./inventory.yaml. */
function hostNames(words: string[], groups: boolean): string[] {
  const i = words.findIndex((w) => w === "-i" || w === "--inventory");
  const loaded = loadInventory(
    i >= 0 && words[i + 1] ? (words[i + 1] as string) : "inventory.yaml",
  );
  const hosts = loaded.inventory?.hosts ?? [];
  const names = hosts.map((h) => h.name);
  if (groups) names.push(...hosts.flatMap((h) => h.groups));
  return [...new Set(names)];
}

/** Candidates for the last word: subcommands, options, host names, or file names. */
export async function complete(ctx: Context, program: Command, words: string[]): Promise<number> {
  const current = words[words.length - 1] ?? "";
  const before = words.slice(0, -1);
  let cmd = program;
  for (const w of before) {
    const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (sub) cmd = sub;
  }
  const previous = before[before.length - 1] ?? "";
  let out: string[];
  if (HOST_OPTIONS.has(previous)) out = hostNames(before, previous === "--limit");
  else if (FILE_OPTIONS.has(previous)) out = [FILES];
  else if (current.startsWith("-")) out = [...optionNames(cmd), ...optionNames(program)];
  else
    out = cmd.commands
      .filter((c) => !(c as Command & { _hidden?: boolean })._hidden)
      .map((c) => c.name());
  for (const c of out) if (c.startsWith(current) || c === FILES) ctx.out.line(c);
  return EXIT_OK;
}
