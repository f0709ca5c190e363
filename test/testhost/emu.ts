// Runs the test host's emulated FreeBSD commands straight from the source tree against a
// temporary root directory (TESTHOST_ROOT), without containers: the emulator unit tests.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { TESTHOST_DIR } from "../../testhost/src/paths.js";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export const OVERLAY = join(TESTHOST_DIR, "overlay");
export const PACKAGES = join(TESTHOST_DIR, "packages");

/** A fresh root with the overlay's /etc files and a minimal passwd/group, as the image has. */
export function makeRoot(): {
  root: string;
  file: (p: string) => string;
  read: (p: string) => string;
  write: (p: string, text: string, mode?: number) => void;
  run: (
    prog: string,
    args: string[],
    opts?: { env?: Record<string, string>; input?: string },
  ) => Run;
  installRc: (src: string, name: string, dir?: string) => string;
  sh: (script: string, opts?: { env?: Record<string, string> }) => Run;
  cleanup: () => void;
} {
  const root = mkdtempSync(join(tmpdir(), "testhost-root-"));
  const file = (p: string) => join(root, p);
  const write = (p: string, text: string, mode = 0o644) => {
    mkdirSync(dirname(file(p)), { recursive: true });
    writeFileSync(file(p), text);
    chmodSync(file(p), mode);
  };
  write(
    "/etc/passwd",
    "root:x:0:0:root:/root:/bin/sh\nwww:x:80:80:World Wide Web Owner:/nonexistent:/usr/sbin/nologin\n",
  );
  write("/etc/shadow", "root:*:0::::::\nwww:*:0::::::\n", 0o640);
  write("/etc/group", "wheel:x:0:root\nwww:x:80:\n");
  write("/etc/gshadow", "wheel:*::root\nwww:!::\n", 0o640);
  write("/etc/shells", "/bin/sh\n/bin/csh\n/usr/sbin/nologin\n");
  for (const f of ["etc/defaults/rc.conf", "etc/rc.conf", "etc/rc.subr"])
    write(`/${f}`, readFileSync(join(OVERLAY, f), "utf8"));
  // The emulated commands, as the image has them (/sbin is /usr/sbin on the Debian underneath).
  for (const dir of ["usr/sbin", "usr/bin", "usr/libexec"]) {
    mkdirSync(file(`/${dir}`), { recursive: true });
    for (const name of readdirSync(join(OVERLAY, dir)))
      symlinkSync(join(OVERLAY, dir, name), file(`/${dir}/${name}`));
  }
  symlinkSync("/bin/sh", file("/usr/bin/sh"));
  symlinkSync("usr/sbin", file("/sbin"));
  symlinkSync("usr/bin", file("/bin"));
  const env = (extra: Record<string, string> = {}) => ({
    PATH: `${root}/usr/local/sbin:${root}/usr/local/bin:${root}/usr/sbin:${root}/usr/bin:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: root,
    TESTHOST_ROOT: root,
    TESTHOST_PACKAGES: PACKAGES,
    PYTHONPATH: join(TESTHOST_DIR, "lib"),
    // Nothing may be written into the source tree: it is the image build's input.
    PYTHONDONTWRITEBYTECODE: "1",
    ...extra,
  });
  const result = (r: ReturnType<typeof spawnSync>): Run => ({
    code: r.status ?? -1,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
  });
  return {
    root,
    file,
    read: (p) => readFileSync(file(p), "utf8"),
    write,
    /** prog: an overlay path such as /usr/sbin/pw, or a package file such as pkg/pkg. */
    run: (prog, args, opts = {}) => {
      const path = prog.startsWith("/") ? join(OVERLAY, prog) : join(PACKAGES, "files", prog);
      const interpreter = readFileSync(path, "utf8").startsWith("#!/usr/bin/python3")
        ? "python3"
        : "sh";
      return result(
        spawnSync(interpreter, [path, ...args], {
          env: env(opts.env),
          input: opts.input ?? "",
          encoding: "utf8",
        }),
      );
    },
    /** Copies an rc.d script (overlay or package path) into the root, sourcing the root's rc.subr. */
    installRc: (src, name, dir = "/usr/local/etc/rc.d") => {
      const text = readFileSync(
        src.startsWith("/") ? join(OVERLAY, src) : join(PACKAGES, src),
        "utf8",
      );
      write(
        `${dir}/${name}`,
        text.replace("\n. /etc/rc.subr\n", '\n. "$TESTHOST_ROOT/etc/rc.subr"\n'),
        0o755,
      );
      return file(`${dir}/${name}`);
    },
    sh: (script, opts = {}) =>
      result(spawnSync("sh", ["-c", script], { env: env(opts.env), encoding: "utf8", cwd: root })),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
