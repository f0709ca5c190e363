"""PEP 517 build backend of the test host's local package index: a MODEL of building
matrix-synapse and its compiled dependencies from source on FreeBSD, where PyPI has no wheels.

Nothing is compiled. Each distribution names the builds it stands for in build.json; before a
wheel is made, each build checks what the real one needs on a FreeBSD host and fails with the
real tool's kind of error when it is missing (docs/testing.md, "The Synapse stand-in"):

  rust      the Synapse Rust extension (setuptools-rust): rustc and cargo on PATH (pkg rust)
  pg_config psycopg2's setup.py, at metadata time: pg_config on PATH (pkg postgresqlNN-client)
  sodium    PyNaCl's bundled libsodium: GNU make as gmake on PATH (pkg gmake), since BSD make
            fails on its Makefiles (pyca/pynacl#893); or SODIUM_INSTALL=system with the
            libsodium package installed
  jpeg      Pillow: the jpeg-turbo package
  ffi       cffi: the libffi package

Packages count as installed when the test host's pkg database lists them; tools when they are
executable on PATH, as the real builds look for them. Wheels hold the stand-in's modules (for
matrix-synapse) or only metadata (the others: the stand-in imports Debian's psycopg2).
"""
import base64
import hashlib
import json
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import testhost_emu as emu  # noqa: E402

RUST_ERROR = """error: can't find Rust compiler

If you are using an outdated pip version, it is possible a prebuilt wheel is available for this package but pip is not able to install from it. Installing from the wheel would avoid the need for a Rust compiler.

To update pip, run:

    pip install --upgrade pip

and then retry package installation.

If you did intend to build this package from source, try installing a Rust compiler from your system package manager and ensure it is on the PATH during installation. Alternatively, rustup (available at https://rustup.rs) is the recommended way to download and update the Rust compiler toolchain."""

PG_CONFIG_ERROR = """running egg_info

Error: pg_config executable not found.

pg_config is required to build psycopg2 from source.  Please add the directory
containing pg_config to the $PATH or specify the full executable path with the
option:

    python setup.py build_ext --pg-config /path/to/pg_config build ...

or with the pg_config option in 'setup.cfg'.

If you prefer to avoid building psycopg2 from source, please install the PyPI
'psycopg2-binary' package instead.

For further information please check the 'doc/src/install.rst' file (also at
<https://www.psycopg.org/docs/install.html>)."""

BSD_MAKE_ERROR = """checking build system type... x86_64-unknown-freebsd14.3
config.status: creating test/default/Makefile
make: "{build}/test/default/Makefile" line 2952: Invalid line type
make: Fatal errors encountered -- cannot continue
make: stopped in {build}/test/default
*** Error code 1
error: command 'make' failed with exit code 1"""

SODIUM_H_ERROR = """building 'nacl._sodium' extension
build/temp.freebsd-14.3-RELEASE-amd64-cpython-311/_sodium.c:572:10: fatal error: 'sodium.h' file not found
  572 | #include <sodium.h>
      |          ^~~~~~~~~~
1 error generated.
error: command '/usr/bin/cc' failed with exit code 1"""

JPEG_ERROR = """The headers or library files could not be found for jpeg,
a required dependency when compiling Pillow from source.

Please see the install instructions at:
   https://pillow.readthedocs.io/en/latest/installation/basic-installation.html"""

FFI_ERROR = """Package libffi was not found in the pkg-config search path.
Perhaps you should add the directory containing `libffi.pc'
to the PKG_CONFIG_PATH environment variable
src/c/_cffi_backend.c:15:10: fatal error: 'ffi.h' file not found
   15 | #include <ffi.h>
      |          ^~~~~~~
1 error generated.
error: command '/usr/bin/cc' failed with exit code 1"""


def missing(check):
    """The error text of a build whose requirement is missing, or None."""
    if check == "rust":
        return None if emu.which("rustc") and emu.which("cargo") else RUST_ERROR
    if check == "pg_config":
        return None if emu.which("pg_config") else PG_CONFIG_ERROR
    if check == "sodium":
        if os.environ.get("SODIUM_INSTALL") == "system":
            return None if emu.pkg_installed("libsodium") else SODIUM_H_ERROR
        return None if emu.which("gmake") else BSD_MAKE_ERROR.format(build="/tmp/pip-install/pynacl/build/temp.freebsd-14.3-RELEASE-amd64-cpython-311")
    if check == "jpeg":
        return None if emu.pkg_installed("jpeg-turbo") else JPEG_ERROR
    if check == "ffi":
        return None if emu.pkg_installed("libffi") else FFI_ERROR
    raise ValueError("unknown build check %r" % check)


def spec():
    with open(os.path.join(HERE, "build.json"), encoding="utf-8") as fh:
        return json.load(fh)


def run_checks(when):
    s = spec()
    for check in s.get(when, []):
        error = missing(check)
        if error:
            sys.stderr.write(error + "\n")
            sys.stderr.flush()
            sys.exit(1)


def dist_name(s):
    return "%s-%s" % (s["name"].replace("-", "_"), s["version"])


def metadata(s):
    lines = [
        "Metadata-Version: 2.1",
        "Name: %s" % s["name"],
        "Version: %s" % s["version"],
        "Summary: %s" % s["summary"],
        "Requires-Python: >=3.9",
    ]
    lines += ["Requires-Dist: %s" % r for r in s.get("requires", [])]
    for extra, reqs in s.get("extras", {}).items():
        lines.append("Provides-Extra: %s" % extra)
        lines += ['Requires-Dist: %s; extra == "%s"' % (r, extra) for r in reqs]
    return "\n".join(lines) + "\n"


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    run_checks("metadata_checks")
    s = spec()
    d = os.path.join(metadata_directory, dist_name(s) + ".dist-info")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "w", encoding="utf-8") as fh:
        fh.write(metadata(s))
    return os.path.basename(d)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    run_checks("metadata_checks")
    run_checks("build_checks")
    s = spec()
    name = dist_name(s)
    files = {}
    for pkg in s.get("packages", []):
        for root, _, fnames in os.walk(os.path.join(HERE, pkg)):
            for f in sorted(fnames):
                if f.endswith(".py"):
                    full = os.path.join(root, f)
                    with open(full, "rb") as fh:
                        files[os.path.relpath(full, HERE)] = fh.read()
    for rel, text in s.get("files", {}).items():
        files[rel] = text.encode()
    dist = name + ".dist-info"
    files[dist + "/METADATA"] = metadata(s).encode()
    files[dist + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: testhost_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if s.get("entry_points"):
        files[dist + "/entry_points.txt"] = s["entry_points"].encode()
    record = []
    for rel, data in sorted(files.items()):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (rel, digest, len(data)))
    record.append(dist + "/RECORD,,")
    files[dist + "/RECORD"] = ("\n".join(record) + "\n").encode()
    whl = name + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, whl), "w", zipfile.ZIP_DEFLATED) as z:
        for rel, data in sorted(files.items()):
            info = zipfile.ZipInfo(rel, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return whl
