import type { Command } from "commander";
import type { Runner } from "../../cli/context.js";
import type { RegisterUserOptions } from "./run.js";

export function register(program: Command, runner: Runner): void {
  program
    .command("register-user")
    .description(
      "create a Matrix user on a host with the registration shared secret (password read from standard input)",
    )
    .requiredOption("--host <name>", "the homeserver")
    .requiredOption(
      "--user <localpart>",
      "the new user's localpart, e.g. alice for @alice:server_name",
    )
    .option("--admin", "make the user a server admin (the guide's first user)")
    .option(
      "--accept-new-host-key",
      "record the key of a host not yet in known_hosts (a changed key is always refused)",
    )
    .addHelpText(
      "after",
      '\nThe password never appears on a command line: it is read from standard input and sent to\nSynapse on the host over the SSH connection.\n\nExample:\n  $ printf %s "$PASSWORD" | provision register-user -i inventory.yaml --host matrix --user alice --admin',
    )
    .action(
      runner<RegisterUserOptions>(async (ctx, opts) => (await import("./run.js")).run(ctx, opts)),
    );
}
