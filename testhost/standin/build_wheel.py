#!/usr/bin/env python3
"""Builds the Synapse stand-in as wheels named matrix_synapse-VERSION-py3-none-any.whl, so an
offline `pip install matrix-synapse==VERSION` in the test host's virtualenv finds it."""
import base64
import hashlib
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def build(version, outdir):
    name = "matrix_synapse-%s" % version
    whl = os.path.join(outdir, "%s-py3-none-any.whl" % name)
    files = {}
    for root, _, fnames in os.walk(os.path.join(HERE, "synapse")):
        for f in sorted(fnames):
            if f.endswith(".py"):
                full = os.path.join(root, f)
                rel = os.path.relpath(full, HERE)
                text = open(full, "rb").read()
                if rel == os.path.join("synapse", "__init__.py"):
                    text = text.replace(b'__version__ = "0.0.0"', ('__version__ = "%s"' % version).encode())
                files[rel] = text
    dist = "%s.dist-info" % name
    files[dist + "/METADATA"] = (
        "Metadata-Version: 2.1\nName: matrix-synapse\nVersion: %s\n"
        "Summary: Synapse STAND-IN for the provision test host (not Synapse)\n"
        "Requires-Python: >=3.9\nProvides-Extra: postgres\nProvides-Extra: all\n" % version
    ).encode()
    files[dist + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: provision-testhost\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[dist + "/entry_points.txt"] = (
        b"[console_scripts]\nregister_new_matrix_user = synapse._scripts.register_new_matrix_user:main\n"
        b"synapse_homeserver = synapse.app.homeserver:main\n"
    )
    record = []
    for rel, data in sorted(files.items()):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (rel, digest, len(data)))
    record.append(dist + "/RECORD,,")
    files[dist + "/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(whl, "w", zipfile.ZIP_DEFLATED) as z:
        for rel, data in sorted(files.items()):
            info = zipfile.ZipInfo(rel, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return whl


if __name__ == "__main__":
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for v in sys.argv[2:]:
        print(build(v, outdir))
