"""python -m synapse.app.homeserver -c homeserver.yaml [--daemonize]: the Synapse stand-in."""
import argparse
import hashlib
import hmac
import json
import logging
import logging.handlers
import os
import secrets
import signal
import sys
import textwrap
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Debian's PyYAML, jsonschema and psycopg2 stand in for the wheels pip would bring.
sys.path.append("/usr/lib/python3/dist-packages")
import yaml  # noqa: E402

import synapse  # noqa: E402

SCHEMA = "/usr/local/share/synapse-standin/synapse-config.schema.yaml"
META = "/usr/local/share/synapse-standin/synapse-config.meta.schema.json"
log = logging.getLogger("synapse.standin")


# The oldest PostgreSQL major each Synapse release starts on, newest release first: Synapse's
# synapse/storage/engines/postgres.py `check_database` compares the server_version with it.
# 14 from 1.143.0 (CHANGES.md "Synapse 1.143.0rc1", #19170), 13 from 1.122.0 (#18034).
MIN_POSTGRESQL = [((1, 143, 0), 14), ((1, 122, 0), 13), ((0, 0, 0), 11)]


def min_postgresql(version):
    v = tuple(int(x) for x in version.split(".")[:3])
    return next(major for since, major in MIN_POSTGRESQL if v >= since)


def quit_with_error(error_string):
    """As synapse/app/_base.py: the message framed by asterisks on stderr, exit 1."""
    message_lines = error_string.split("\n")
    line_length = min(max(len(line) for line in message_lines), 80) + 2
    sys.stderr.write("*" * line_length + "\n")
    for line in message_lines:
        sys.stderr.write(" %s\n" % (line.rstrip(),))
    sys.stderr.write("*" * line_length + "\n")
    sys.exit(1)


def handle_startup_exception(config, e):
    """As synapse/app/_base.py: logged, then the traceback on stderr (Synapse's `setup` sends
    every exception of its start-up checks here)."""
    path = log_file(config)
    if path:
        setup_logging(config)
        log.exception("Exception during startup")
    error_string = "".join(traceback.format_exception(type(e), e, e.__traceback__))
    quit_with_error(
        "Error during initialisation:\n%s\nThere may be more information in the logs." % textwrap.indent(error_string, "    ")
    )


def fail(msg):
    sys.stderr.write("Error in configuration:\n  %s\n" % msg)
    sys.exit(1)


def load_config(paths):
    config = {}
    for p in paths:
        try:
            with open(p, encoding="utf-8") as fh:
                data = yaml.safe_load(fh) or {}
        except OSError as e:
            fail("could not open %s: %s" % (p, e.strerror))
        except yaml.YAMLError as e:
            fail("%s is not valid YAML: %s" % (p, e))
        config.update(data)
    return config


def validate(config):
    if not os.path.exists(SCHEMA):
        return "schema not available; configuration not validated"
    import jsonschema

    with open(SCHEMA, encoding="utf-8") as fh:
        schema = yaml.safe_load(fh)
    store = {}
    if os.path.exists(META):
        meta = json.load(open(META, encoding="utf-8"))
        store[meta["$id"]] = meta
    schema.pop("$schema", None)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.path))
    if errors:
        fail("; ".join("%s: %s" % ("/".join(str(x) for x in e.path) or "(top)", e.message) for e in errors[:5]))
    unknown = [k for k in config if k not in schema.get("properties", {})]
    if unknown:
        fail("unknown options: %s" % ", ".join(unknown))
    return "configuration valid against Synapse's schema"


def check_required(config):
    for key in ("server_name", "signing_key_path", "database", "listeners", "pid_file"):
        if key not in config:
            fail("missing mandatory option %s" % key)
    for key in ("macaroon_secret_key", "registration_shared_secret", "form_secret"):
        if "CHANGEME" in str(config.get(key, "")):
            fail("%s still holds a placeholder" % key)
    with open(config["signing_key_path"], encoding="utf-8") as fh:
        parts = fh.read().split()
    if len(parts) != 3 or parts[0] != "ed25519":
        fail("signing key %s is not in 'ed25519 <id> <key>' form" % config["signing_key_path"])


def connect_db(config):
    db = config["database"]
    if db.get("name") != "psycopg2":
        fail("the stand-in supports only PostgreSQL (psycopg2)")
    import psycopg2

    args = {k: v for k, v in db.get("args", {}).items() if not k.startswith("cp_")}
    if "database" in args:
        args["dbname"] = args.pop("database")
    try:
        conn = psycopg2.connect(**args)
    except psycopg2.Error as e:
        fail("could not connect to PostgreSQL: %s" % str(e).strip())
    # As Synapse's check_database, first: the server's version (psycopg2's server_version).
    major = min_postgresql(synapse.__version__)
    if conn.server_version < major * 10000:
        raise RuntimeError("Synapse requires PostgreSQL %d or above." % major)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database WHERE datname = current_database()")
    enc, collate, ctype = cur.fetchone()
    # As Synapse: refuse a database that is not UTF8 with C collation and ctype.
    if enc != "UTF8":
        fail("database encoding is %s, Synapse needs UTF8" % enc)
    if collate != "C" or ctype != "C":
        fail("database has LC_COLLATE %s and LC_CTYPE %s; Synapse needs C" % (collate, ctype))
    cur.execute(
        "CREATE TABLE IF NOT EXISTS standin_users (name TEXT PRIMARY KEY, password_hash TEXT, admin SMALLINT, creation_ts BIGINT)"
    )
    return conn


def log_file(config):
    try:
        with open(config.get("log_config", ""), encoding="utf-8") as fh:
            lc = yaml.safe_load(fh)
        return lc["handlers"]["file"]["filename"]
    except (OSError, KeyError, TypeError):
        return None


def setup_logging(config):
    path = log_file(config)
    handler = logging.FileHandler(path) if path else logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s - %(name)s - %(levelname)s - %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)


def make_handler(config, conn, lock):
    server_name = config["server_name"]
    secret = config.get("registration_shared_secret", "")
    nonces = set()

    class Handler(BaseHTTPRequestHandler):
        server_version = "Synapse/%s (stand-in)" % synapse.__version__

        def log_message(self, fmt, *args):
            log.info("%s %s", self.address_string(), fmt % args)

        def send_json(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = self.path.split("?")[0]
            if path == "/health":
                data = b"OK"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(data)
            elif path == "/_matrix/client/versions":
                self.send_json(200, {"versions": ["v1.11", "v1.12"], "unstable_features": {}, "server": "Synapse stand-in"})
            elif path == "/_matrix/federation/v1/version":
                self.send_json(200, {"server": {"name": "Synapse", "version": "%s (stand-in)" % synapse.__version__}})
            elif path == "/_synapse/admin/v1/register":
                nonce = secrets.token_hex(16)
                nonces.add(nonce)
                self.send_json(200, {"nonce": nonce})
            else:
                self.send_json(404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})

        def do_POST(self):
            if self.path.split("?")[0] != "/_synapse/admin/v1/register":
                self.send_json(404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})
                return
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            nonce, user, pw = body.get("nonce"), body.get("username", ""), body.get("password", "")
            admin = "admin" if body.get("admin") else "notadmin"
            want = hmac.new(secret.encode(), b"\x00".join([nonce.encode(), user.encode(), pw.encode(), admin.encode()]), hashlib.sha1).hexdigest()
            if nonce not in nonces or not hmac.compare_digest(want, body.get("mac", "")):
                self.send_json(403, {"errcode": "M_FORBIDDEN", "error": "HMAC incorrect"})
                return
            nonces.discard(nonce)
            uid = "@%s:%s" % (user, server_name)
            with lock:
                cur = conn.cursor()
                cur.execute("SELECT 1 FROM standin_users WHERE name = %s", (uid,))
                if cur.fetchone():
                    self.send_json(400, {"errcode": "M_USER_IN_USE", "error": "User ID already taken."})
                    return
                cur.execute(
                    "INSERT INTO standin_users VALUES (%s, %s, %s, %s)",
                    (uid, hashlib.sha256(pw.encode()).hexdigest(), 1 if admin == "admin" else 0, int(time.time() * 1000)),
                )
            self.send_json(200, {"user_id": uid, "home_server": server_name, "access_token": secrets.token_urlsafe(24)})

    return Handler


def daemonize(pid_file):
    if os.fork():
        os._exit(0)
    os.setsid()
    if os.fork():
        os._exit(0)
    os.chdir("/")
    with open(os.devnull, "rb") as n:
        os.dup2(n.fileno(), 0)
    with open(os.devnull, "ab") as n:
        os.dup2(n.fileno(), 1)
        os.dup2(n.fileno(), 2)
    with open(pid_file, "w") as fh:
        fh.write("%d\n" % os.getpid())


def main(argv):
    p = argparse.ArgumentParser(prog="synapse.app.homeserver")
    p.add_argument("-c", "--config-path", action="append", required=True)
    p.add_argument("--daemonize", "-D", action="store_true")
    p.add_argument("--generate-config", action="store_true")
    p.add_argument("--generate-keys", action="store_true")
    p.add_argument("--server-name", "-H")
    p.add_argument("--report-stats")
    a = p.parse_args(argv)
    if a.generate_config:
        fail("the Synapse stand-in cannot generate configurations")
    config = load_config(a.config_path)
    note = validate(config)
    check_required(config)
    try:
        conn = connect_db(config)
    except Exception as e:
        handle_startup_exception(config, e)
    listeners = [l for l in config["listeners"] if l.get("type") == "http"]
    lock = threading.Lock()
    servers = []
    handler = make_handler(config, conn, lock)
    for l in listeners:
        for addr in l.get("bind_addresses") or ["::"]:
            servers.append(ThreadingHTTPServer((addr, l["port"]), handler))
    if a.daemonize:
        daemonize(config["pid_file"])
    setup_logging(config)
    log.info("Synapse stand-in %s for %s starting: %s", synapse.__version__, config["server_name"], note)
    signal.signal(signal.SIGHUP, lambda *_: log.info("SIGHUP: reopening logs"))
    signal.signal(signal.SIGTERM, lambda *_: (log.info("shutting down"), os._exit(0)))
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    if servers:
        servers[0].serve_forever()
    else:
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    main(sys.argv[1:])
