#!/usr/bin/env python3
"""Builds the test host's local package index (pip's find-links directory): source
distributions of matrix-synapse (the stand-in, one per version) and of the compiled
dependencies whose builds the test host models, each built by backend/testhost_build.py.

  build_index.py OUTDIR VERSION...
  build_index.py --packaged VERSION DIR   the stand-in's modules as the py311-matrix-synapse
                                          package installs them (prebuilt, no pip)
  build_index.py --debian VERSION OUTDIR  the index of the real-Synapse profile: matrix-synapse at
                                          the version of Debian's package only, whose wheel
                                          makes the virtualenv import Debian's Synapse
"""
import io
import json
import os
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
LIB = os.path.join(HERE, "..", "lib", "testhost_emu.py")

SYNAPSE_ENTRY_POINTS = (
    "[console_scripts]\nregister_new_matrix_user = synapse._scripts.register_new_matrix_user:main\n"
    "synapse_homeserver = synapse.app.homeserver:main\n"
)
# The compiled dependencies of matrix-synapse[postgres] whose builds are modelled.
DEPENDENCIES = [
    {"name": "psycopg2", "version": "2.9.10", "summary": "psycopg2 - Python-PostgreSQL Database Adapter (test host model)", "metadata_checks": ["pg_config"]},
    {"name": "PyNaCl", "version": "1.6.0", "summary": "Python binding to libsodium (test host model)", "requires": ["cffi>=1.4.1"], "build_checks": ["sodium"]},
    {"name": "cffi", "version": "1.17.1", "summary": "Foreign Function Interface for Python calling C code. (test host model)", "build_checks": ["ffi"]},
    {"name": "pillow", "version": "11.0.0", "summary": "Python Imaging Library (test host model)", "build_checks": ["jpeg"]},
]


def synapse(version):
    return {
        "name": "matrix-synapse",
        "version": version,
        "summary": "Synapse STAND-IN for the provision test host (not Synapse)",
        "requires": ["PyNaCl>=1.2.1", "pillow>=10.0.1"],
        "extras": {"postgres": ["psycopg2>=2.8"], "all": ["psycopg2>=2.8"]},
        "build_checks": ["rust"],
        "packages": ["synapse"],
        "entry_points": SYNAPSE_ENTRY_POINTS,
    }


# Where Debian's python3 packages live; a .pth file in the virtualenv adds it to sys.path after
# the virtualenv's own site-packages.
DEBIAN_DIST_PACKAGES = "/usr/lib/python3/dist-packages"


def debian_synapse(version):
    """matrix-synapse as built on FreeBSD (same build checks and dependencies as the stand-in),
    but the wheel holds no modules: its .pth points the virtualenv at Debian's Synapse."""
    spec = synapse(version)
    spec["summary"] = "Debian's matrix-synapse %s, made importable in a virtualenv (provision test host)" % version
    spec["packages"] = []
    spec["files"] = {"matrix_synapse_debian.pth": DEBIAN_DIST_PACKAGES + "\n"}
    return spec


def synapse_sources(version):
    """(relative path, content) of the stand-in's modules, with its version set."""
    for root, _, fnames in os.walk(os.path.join(HERE, "synapse")):
        for f in sorted(fnames):
            if not f.endswith(".py"):
                continue
            full = os.path.join(root, f)
            rel = os.path.relpath(full, HERE)
            with open(full, "rb") as fh:
                data = fh.read()
            if rel == os.path.join("synapse", "__init__.py"):
                data = data.replace(b'__version__ = "0.0.0"', ('__version__ = "%s"' % version).encode())
            yield rel, data


def add(tar, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = 1577836800
    tar.addfile(info, io.BytesIO(data))


def sdist(spec, outdir):
    base = "%s-%s" % (spec["name"], spec["version"])
    path = os.path.join(outdir, base + ".tar.gz")
    pyproject = b'[build-system]\nrequires = []\nbuild-backend = "testhost_build"\nbackend-path = ["."]\n'
    pkg_info = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (spec["name"], spec["version"])).encode()
    with tarfile.open(path, "w:gz") as tar:
        add(tar, base + "/pyproject.toml", pyproject)
        add(tar, base + "/PKG-INFO", pkg_info)
        add(tar, base + "/build.json", json.dumps(spec, indent=1).encode())
        with open(os.path.join(HERE, "backend", "testhost_build.py"), "rb") as fh:
            add(tar, base + "/testhost_build.py", fh.read())
        with open(LIB, "rb") as fh:
            add(tar, base + "/testhost_emu.py", fh.read())
        if spec.get("packages"):
            for rel, data in synapse_sources(spec["version"]):
                add(tar, base + "/" + rel, data)
    return path


if __name__ == "__main__":
    if sys.argv[1] == "--packaged":
        for rel, data in synapse_sources(sys.argv[2]):
            dst = os.path.join(sys.argv[3], rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "wb") as fh:
                fh.write(data)
        sys.exit(0)
    if sys.argv[1] == "--debian":
        os.makedirs(sys.argv[3], exist_ok=True)
        for spec in DEPENDENCIES + [debian_synapse(sys.argv[2])]:
            print(sdist(spec, sys.argv[3]))
        sys.exit(0)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for spec in DEPENDENCIES + [synapse(v) for v in sys.argv[2:]]:
        print(sdist(spec, out))
