import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";

const SHELLS = ["bash", "zsh", "fish"];

export function register(program: Command, runner: Runner): void {
  program
    .command("completion")
    .argument("<shell>", `one of ${SHELLS.join(", ")}`)
    .description("print shell completion (commands, options, host and group names)")
    .addHelpText(
      "after",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a zsh expansion in the example
      '\nExamples:\n  $ provision completion bash > /etc/bash_completion.d/provision\n  $ provision completion zsh > "${fpath[1]}/_provision"\n  $ provision completion fish > ~/.config/fish/completions/provision.fish',
    )
    .action(
      runner(async (ctx, _opts, args) => (await import("./run.js")).script(ctx, args[0] ?? "")),
    );
  // What the shell scripts call on each TAB: candidates for the last word, one per line.
  program
    .command("__complete", { hidden: true })
    .argument("[words...]")
    .allowUnknownOption()
    .helpOption(false)
    .action(
      runner(async (ctx, _opts, args) => (await import("./run.js")).complete(ctx, program, args)),
    );
}
