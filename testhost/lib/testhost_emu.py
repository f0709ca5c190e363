"""Shared library of the test host's emulated FreeBSD commands (pkg, pw, sysrc, ipfw, cron, ...).

- Every path an emulator touches goes through path(), which puts TESTHOST_ROOT (default "/")
  in front, so an emulator can be run against a temporary directory in a unit test.
- Files are replaced atomically (temp file in the same directory, fsync, rename, fsync of the
  directory), keeping mode and owner, as FreeBSD's tools do with mkstemp + rename.
- Errors are reported as err(3)/warnx(3) print them: "prog: message" on stderr, then the exit code.
- The pkg database has one reader and one writer here, used by pkg and its bootstrapper alike.
"""
import json
import os
import sys
import time

PACKAGES_DIR = os.environ.get("TESTHOST_PACKAGES", "/usr/local/libexec/testhost/packages")
PKG_DB = "/var/db/pkg/testhost-installed.json"


def root():
    return os.environ.get("TESTHOST_ROOT", "/") or "/"


def path(p):
    """The host path p under TESTHOST_ROOT."""
    r = root()
    if r == "/":
        return p
    return os.path.join(r, p.lstrip("/"))


class Exit(Exception):
    """Raised by errx(): main() turns it into the exit code."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def prog_name():
    return os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "testhost"


def warnx(msg, prog=None):
    sys.stderr.write("%s: %s\n" % (prog or prog_name(), msg))


def errx(code, msg, prog=None):
    warnx(msg, prog)
    raise Exit(code)


def run_main(main, argv=None):
    """sys.exit(main(argv)), with errx()'s exit codes."""
    try:
        code = main(sys.argv[1:] if argv is None else argv)
    except Exit as e:
        code = e.code
    sys.stdout.flush()
    sys.exit(code or 0)


def _mkstemp(d, prefix):
    """mkstemp(3) without the tempfile module, whose import costs every emulated command ~20 ms."""
    for _ in range(100):
        tmp = os.path.join(d, prefix + os.urandom(6).hex())
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError("no unique temporary name in " + d)


def write_atomic(p, data, mode=None):
    """Replaces the file at host path p (already ROOT-prefixed) with data (str or bytes)."""
    d = os.path.dirname(p) or "."
    os.makedirs(d, exist_ok=True)
    st = os.stat(p) if os.path.exists(p) else None
    fd, tmp = _mkstemp(d, "." + os.path.basename(p) + ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        elif st:
            os.chmod(tmp, st.st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644)
        if st and os.geteuid() == 0:
            os.chown(tmp, st.st_uid, st.st_gid)
        os.rename(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    dfd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def read_text(p, default=None):
    try:
        with open(p, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        return default


def read_json(p, default):
    text = read_text(p)
    return default if text is None else json.loads(text)


def write_json(p, value):
    write_atomic(p, json.dumps(value, indent=1, sort_keys=True) + "\n")


# --- the pkg database -------------------------------------------------------------------------


def pkg_db():
    """Installed packages: {name: {"version": V, "automatic": bool}}."""
    return read_json(path(PKG_DB), {})


def pkg_db_save(db):
    write_json(path(PKG_DB), db)


def pkg_installed(name):
    return name in pkg_db()


def catalog():
    return read_json(os.path.join(PACKAGES_DIR, "catalog.json"), None)


# --- passwd(5) and group(5) -------------------------------------------------------------------
# The Debian files underneath (passwd, shadow, group, gshadow), edited in place as pw(8) edits
# master.passwd and group(5): one line per entry, colon-separated.


def _table(name):
    text = read_text(path("/etc/" + name), "")
    return [line.split(":") for line in text.splitlines() if line and not line.startswith("#")]


def _save_table(name, rows, mode):
    p = path("/etc/" + name)
    if name in ("shadow", "gshadow") and not os.path.exists(p):
        return
    write_atomic(p, "".join(":".join(r) + "\n" for r in rows), mode=None if os.path.exists(p) else mode)


def users():
    """passwd(5) rows: [name, x, uid, gid, gecos, home, shell]."""
    return _table("passwd")


def groups():
    """group(5) rows: [name, x, gid, members]."""
    return _table("group")


def user(name):
    for r in users():
        if r[0] == name:
            return r
    return None


def group(name_or_gid):
    for r in groups():
        if r[0] == name_or_gid or (str(name_or_gid).isdigit() and r[2] == str(name_or_gid)):
            return r
    return None


def next_id(rows, col, start=1001):
    used = {int(r[col]) for r in rows if r[col].isdigit()}
    n = start
    while n in used:
        n += 1
    return n


def add_group(name, gid=None, members=()):
    rows = groups()
    gid = int(gid) if gid is not None else next_id(rows, 2)
    rows.append([name, "x", str(gid), ",".join(members)])
    _save_table("group", rows, 0o644)
    g = _table("gshadow")
    g.append([name, "!", "", ",".join(members)])
    _save_table("gshadow", g, 0o640)
    return gid


def set_group_members(name, members):
    rows = groups()
    for r in rows:
        if r[0] == name:
            r[3] = ",".join(members)
    _save_table("group", rows, 0o644)
    g = _table("gshadow")
    for r in g:
        if r[0] == name:
            r[3] = ",".join(members)
    _save_table("gshadow", g, 0o640)


def add_user(name, uid, gid, gecos, home, shell, password="*"):
    rows = users()
    rows.append([name, "x", str(uid), str(gid), gecos, home, shell])
    _save_table("passwd", rows, 0o644)
    s = _table("shadow")
    # lastchg is today: 0 would mean "change the password at the next login", which PAM enforces
    # even for su from root.
    s.append([name, password, str(int(time.time()) // 86400), "0", "99999", "7", "", "", ""])
    _save_table("shadow", s, 0o640)


def modify_user(name, **fields):
    """Changes passwd fields of name: gid, gecos, home, shell (and password in shadow)."""
    cols = {"uid": 2, "gid": 3, "gecos": 4, "home": 5, "shell": 6}
    rows = users()
    for r in rows:
        if r[0] == name:
            for k, v in fields.items():
                if k in cols:
                    r[cols[k]] = str(v)
    _save_table("passwd", rows, 0o644)
    if "password" in fields:
        s = _table("shadow")
        for r in s:
            if r[0] == name:
                r[1] = fields["password"]
        _save_table("shadow", s, 0o640)


def delete_user(name):
    _save_table("passwd", [r for r in users() if r[0] != name], 0o644)
    _save_table("shadow", [r for r in _table("shadow") if r[0] != name], 0o640)
    for g in groups():
        members = [m for m in g[3].split(",") if m]
        if name in members:
            set_group_members(g[0], [m for m in members if m != name])


def which(prog, env_path=None):
    """The executable prog on PATH (host paths, ROOT-prefixed), or None."""
    for d in (env_path if env_path is not None else os.environ.get("PATH", "")).split(":"):
        if d:
            p = path(os.path.join(d, prog))
            if os.path.isfile(p) and os.access(p, os.X_OK):
                return p
    return None


# --- the kernel's loadable modules and sysctl(8) variables -----------------------------------
# A container shares the Linux kernel, so the FreeBSD kernel state the emulators need (which
# modules kldload(8) loaded, the sysctls they add) is kept in one file.

KERNEL_STATE = "/var/db/testhost-kernel.json"
# Modules the test host knows, and the sysctls each adds when loaded (ipfw enables itself on
# load for both families, sys/netpfil/ipfw/ip_fw_pfil.c fw_enable and fw6_enable = 1, and then
# denies everything until rules are added).
MODULES = {
    "ipfw": {
        "net.inet.ip.fw.enable": "1",
        "net.inet6.ip6.fw.enable": "1",
        "net.inet.ip.fw.default_to_accept": "0",
        "net.inet.ip.fw.verbose": "0",
    },
    "accf_http": {},
    "accf_data": {},
}


def kernel():
    return read_json(path(KERNEL_STATE), {"modules": [], "sysctl": {}})


def kernel_save(state):
    write_json(path(KERNEL_STATE), state)


def module_loaded(name):
    return name in kernel()["modules"]
