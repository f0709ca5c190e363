"""register_new_matrix_user for the Synapse stand-in: shared-secret registration over HTTP,
with the same options as Synapse's script."""
import argparse
import getpass
import hashlib
import hmac
import json
import sys
import urllib.request

sys.path.append("/usr/lib/python3/dist-packages")
import yaml  # noqa: E402


def request(url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        return json.loads(e.read() or b"{}") | {"_status": e.code}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-u", "--user")
    p.add_argument("-p", "--password")
    p.add_argument("-a", "--admin", action="store_true")
    p.add_argument("--no-admin", action="store_true")
    p.add_argument("-c", "--config")
    p.add_argument("-k", "--shared-secret")
    p.add_argument("server_url", nargs="?", default="http://localhost:8008")
    a = p.parse_args()
    secret = a.shared_secret
    if a.config:
        secret = yaml.safe_load(open(a.config, encoding="utf-8")).get("registration_shared_secret")
    if not secret:
        print("No 'registration_shared_secret' defined in config.")
        sys.exit(1)
    user = a.user or input("New user localpart: ")
    pw = a.password or getpass.getpass("Password: ")
    url = a.server_url.rstrip("/") + "/_synapse/admin/v1/register"
    nonce = request(url)["nonce"]
    admin = "admin" if a.admin else "notadmin"
    mac = hmac.new(secret.encode(), b"\x00".join([nonce.encode(), user.encode(), pw.encode(), admin.encode()]), hashlib.sha1).hexdigest()
    r = request(url, {"nonce": nonce, "username": user, "password": pw, "admin": a.admin, "mac": mac})
    if "user_id" not in r:
        print("ERROR! Received %d %s" % (r.get("_status", 0), r.get("error", "")))
        sys.exit(1)
    print("Success!")


if __name__ == "__main__":
    main()
