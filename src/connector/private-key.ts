// The SSH private key for a host, as OpenSSH would use it: a passphrase-protected key is left to
// ssh-agent when one runs, otherwise the passphrase is asked on the terminal; without a
// terminal that is an error saying what to do. A file that is no key is an error, not a crash.
import { closeSync, openSync, writeSync } from "node:fs";
import { ReadStream } from "node:tty";
import ssh2 from "ssh2";
import { UserError } from "../errors.js";
import { readBoundedFile } from "../util/files.js";

export type KeyAuth = { privateKey: Buffer; passphrase?: string } | { agent: string };

export interface KeyOptions {
  agent?: string | undefined;
  /** Asks for the passphrase; undefined when there is no terminal. */
  ask?: (prompt: string) => Promise<string | undefined>;
}

const asked = new Map<string, Promise<string | undefined>>();
let terminalTurn: Promise<unknown> = Promise.resolve();

const encrypted = (e: Error) => /encrypted|passphrase/i.test(e.message);

export async function loadPrivateKey(
  file: string,
  host: string,
  opts: KeyOptions = { agent: process.env.SSH_AUTH_SOCK, ask: askOnTerminal },
): Promise<KeyAuth> {
  let key: Buffer;
  try {
    key = readBoundedFile(file, 1024 * 1024);
  } catch (err) {
    throw new UserError(`cannot read SSH key ${file} for host ${host}: ${(err as Error).message}`);
  }
  const parsed = ssh2.utils.parseKey(key);
  if (!(parsed instanceof Error)) return { privateKey: key };
  if (!encrypted(parsed)) {
    throw new UserError(
      `SSH key ${file} for host ${host} is not a private key ssh2 can read (${parsed.message})`,
      {
        hint: "Point ssh.key (or IdentityFile) at an OpenSSH or PEM private key, e.g. ~/.ssh/id_ed25519.",
      },
    );
  }
  if (opts.agent) return { agent: opts.agent };
  // Hosts connect in parallel: one question per key file, one question at a time.
  const pending =
    asked.get(file) ??
    (async () => {
      await terminalTurn;
      return opts.ask?.(`Enter passphrase for key '${file}': `);
    })();
  terminalTurn = pending.catch(() => undefined);
  asked.set(file, pending);
  const passphrase = await pending;
  if (passphrase === undefined) {
    asked.delete(file);
    throw new UserError(
      `SSH key ${file} for host ${host} is protected by a passphrase and there is no terminal to ask for it`,
      {
        hint: `Start ssh-agent and add the key (ssh-add ${file}), then run again.`,
      },
    );
  }
  const check = ssh2.utils.parseKey(key, passphrase);
  if (check instanceof Error) {
    asked.delete(file);
    throw new UserError(`wrong passphrase for SSH key ${file}`);
  }
  return { privateKey: key, passphrase };
}

/** Reads a line from the controlling terminal without echo, as ssh's readpassphrase does. */
export async function askOnTerminal(prompt: string): Promise<string | undefined> {
  let fd: number;
  try {
    fd = openSync("/dev/tty", "r+");
  } catch {
    return undefined;
  }
  const tty = new ReadStream(fd);
  try {
    writeSync(fd, prompt);
    tty.setRawMode(true);
    return await new Promise<string>((resolve, reject) => {
      let line = "";
      tty.on("data", (d: Buffer) => {
        for (const ch of d.toString("utf8")) {
          if (ch === "\r" || ch === "\n") return resolve(line);
          if (ch === "\u0003") return reject(new UserError("interrupted"));
          if (ch === "\u007f" || ch === "\b") line = line.slice(0, -1);
          else line += ch;
        }
      });
    });
  } finally {
    tty.setRawMode(false);
    writeSync(fd, "\n");
    tty.destroy();
    try {
      closeSync(fd);
    } catch {
      // already closed with the stream
    }
  }
}
