// End to end with Debian's real Synapse (the test hosts' "real" profile, docs/testing.md), on the
// two hosts test/e2e/apply.test.ts converged (converging them is what that file checks): with
// federation between them turned on by one more apply, Synapse itself answers through Apache,
// registers and logs in users, hands out TURN credentials coturn accepts, federates between the
// two homeservers, and refuses what its startup checks refuse.
import { readFileSync, writeFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { docker, type HostSet } from "../../testhost/src/hosts.js";
import { cli } from "../helpers/cli.js";
import { synapseErrors } from "../helpers/matrix.js";
import type { Converged } from "../helpers/target.js";
import { sh as dockerSh } from "../helpers/testhost.js";

/** The test ACME server's roots, on each host: what test_federation.ca_file names. */
const TEST_CA = "/usr/local/etc/ssl/test-acme-roots.pem";
const LOG = "/var/log/matrix-synapse/homeserver.log";
const CONF = "/usr/local/etc/matrix-synapse/homeserver.yaml";
const VENV_PYTHON = "/usr/local/lib/matrix-synapse/venv/bin/python3.11";

/**
 * The real-Synapse checks, as a describe block of the calling file: they run after its tests, on
 * its converged hosts (local test hosts of the "real" profile; `skip` says why not).
 */
export function describeRealSynapse(
  skip: string | undefined,
  converged: () => Converged<HostSet>,
): void {
  let set: HostSet;
  let inv: string;
  let env: Record<string, string>;
  const sh = (i: number, command: string, input?: string) => dockerSh(set, i, command, input);
  const server = (i: number) => `matrix${i + 1}.example.test`;

  /** curl on host i to a homeserver's Apache (443, or the federation port), trusting the test CA. */
  function https(
    i: number,
    target: number,
    path: string,
    opts: { port?: number; data?: unknown; token?: string; method?: string } = {},
  ) {
    const port = opts.port ?? 443;
    const args = [
      "curl -sS --max-time 30",
      `--cacert ${TEST_CA}`,
      `--resolve ${server(target)}:${port}:${set.hosts[target]?.ip}`,
      opts.token ? `-H 'Authorization: Bearer ${opts.token}'` : "",
      opts.method ? `-X ${opts.method}` : "",
      opts.data !== undefined ? "-H 'Content-Type: application/json' --data-binary @-" : "",
      `'https://${server(target)}:${port}${path}'`,
    ];
    const r = sh(i, args.join(" "), opts.data !== undefined ? JSON.stringify(opts.data) : "");
    if (r.code !== 0) throw new Error(`curl ${path} on ${server(i)}: ${r.stderr}`);
    return r.stdout;
  }
  const json = (i: number, target: number, path: string, opts: Parameters<typeof https>[3] = {}) =>
    JSON.parse(https(i, target, path, opts));

  function psql(i: number, sql: string, db = "synapse"): string {
    const r = sh(i, `su -l postgres -c "psql -XtA -d ${db} -c \\"${sql}\\""`);
    if (r.code !== 0) throw new Error(`psql on ${server(i)}: ${r.stderr}`);
    return r.stdout.trim();
  }

  function register(host: number, user: string, password: string) {
    const r = cli(["register-user", "--host", `matrix${host + 1}`, "--user", user, "-i", inv], {
      env,
      input: password,
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`matrix${host + 1}: registered @${user}:${server(host)}.\n`);
  }

  function login(host: number, user: string, password: string): string {
    const r = json(host, host, "/_matrix/client/v3/login", {
      data: { type: "m.login.password", identifier: { type: "m.id.user", user }, password },
    });
    expect(r.user_id).toBe(`@${user}:${server(host)}`);
    return r.access_token as string;
  }

  const tokens: Record<string, string> = {};

  describe.skipIf(skip)(
    "Debian's real Synapse, converged by provision apply",
    { timeout: 600_000 },
    () => {
      beforeAll(() => {
        ({ set, inv, env } = converged());
        // Federation on the test network: the test ACME server's roots, the network's private range,
        // and delegation by .well-known (the test DNS refuses SRV queries, a real resolver would not).
        const acme = set.containers[set.containers.length - 1]?.getId() as string;
        const roots = docker(set.engine, [
          "exec",
          acme,
          "curl",
          "-sSk",
          "https://127.0.0.1:15000/roots/0",
        ]);
        expect(roots).toContain("BEGIN CERTIFICATE");
        for (let i = 0; i < set.hosts.length; i++) sh(i, `cat > ${TEST_CA}`, roots);
        const subnet = `${set.hosts[0]?.ip.split(".").slice(0, 2).join(".")}.0.0/16`;
        const text = readFileSync(inv, "utf8").replace(
          "  vars:\n",
          [
            "  vars:",
            "    synapse:",
            "      well_known: true",
            "      test_federation:",
            `        ca_file: ${TEST_CA}`,
            `        allow_ranges: ["${subnet}"]`,
            "",
          ].join("\n"),
        );
        writeFileSync(inv, text);
        const t0 = Date.now();
        const apply = cli(["apply", "--yes", "-i", inv], { env });
        console.log(`apply turning federation on: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
        if (apply.code !== 0) throw new Error(`apply failed:\n${apply.stdout}\n${apply.stderr}`);
        // Each homeserver finds the other by name, as public DNS would tell it.
        for (let i = 0; i < set.hosts.length; i++)
          for (let j = 0; j < set.hosts.length; j++)
            if (i !== j) sh(i, `echo '${set.hosts[j]?.ip} ${server(j)}' >> /etc/hosts`);
      }, 600_000);

      it("runs the version the inventory pins, and answers through Apache on 443", () => {
        console.log(`Synapse ${set.synapse.version} (Debian sid)`);
        const v = json(0, 0, "/_matrix/federation/v1/version");
        expect(v.server).toEqual({ name: "Synapse", version: set.synapse.version });
        // /health is Synapse's own listener's (Apache proxies /_matrix and /_synapse only).
        expect(sh(0, "curl -sS http://127.0.0.1:8008/health").stdout).toBe("OK");
        expect(json(0, 0, "/_matrix/client/versions").versions).toContain("v1.11");
        const keys = json(0, 0, "/_matrix/key/v2/server");
        expect(keys.server_name).toBe(server(0));
        // The key Synapse serves is the one provision wrote.
        const written = sh(
          0,
          `cat /usr/local/etc/matrix-synapse/${server(0)}.signing.key`,
        ).stdout.split(" ");
        expect(keys.verify_keys[`${written[0]}:${written[1]}`]).toBeDefined();
        // The virtualenv runs Debian's Synapse through the .pth of the index's wheel.
        expect(sh(0, `${VENV_PYTHON} -c 'import synapse; print(synapse.__file__)'`).stdout).toBe(
          "/usr/lib/python3/dist-packages/synapse/__init__.py\n",
        );
      });

      it("created its schema in the database the recipe made", () => {
        expect(Number(psql(0, "select version from schema_version"))).toBeGreaterThan(80);
        expect(
          psql(
            0,
            "select count(*) from information_schema.tables where table_name in ('users','events','rooms')",
          ),
        ).toBe("3");
        expect(psql(0, "select tableowner from pg_tables where tablename = 'users'")).toBe(
          "synapse",
        );
      });

      it("logs no ERROR lines since the first converge", () => {
        // But the report every stop of a daemonized Synapse leaves (docs/testing.md): the tests
        // before these restarted it.
        for (let i = 0; i < set.hosts.length; i++)
          expect(synapseErrors(sh(i, `cat ${LOG}`).stdout), server(i)).toEqual([]);
      });

      it("register-user goes through the admin registration endpoint; the user logs in", () => {
        register(0, "alice", "alice-password-1");
        tokens.alice = login(0, "alice", "alice-password-1");
        expect(psql(0, `select name from users where name = '@alice:${server(0)}'`)).toBe(
          `@alice:${server(0)}`,
        );
        const wrong = sh(
          0,
          `curl -s -o /dev/null -w '%{http_code}' --cacert ${TEST_CA} --resolve ${server(0)}:443:${set.hosts[0]?.ip} -d '{"type":"m.login.password","identifier":{"type":"m.id.user","user":"alice"},"password":"nope"}' https://${server(0)}/_matrix/client/v3/login`,
        );
        expect(wrong.stdout).toBe("403");
      });

      it("hands out TURN credentials that coturn accepts, for our listeners", () => {
        const turn = json(0, 0, "/_matrix/client/v3/voip/turnServer", {
          token: tokens.alice as string,
        });
        expect(turn.uris).toEqual([
          `turns:${server(0)}:5349?transport=tcp`,
          `turn:${server(0)}:3478?transport=udp`,
          `turn:${server(0)}:3478?transport=tcp`,
        ]);
        const ip = set.hosts[0]?.ip;
        const client = (user: string, pass: string, out: string) =>
          `timeout 30 turnutils_uclient -v -n 1 -m 1 -l 64 -e ${ip} -u '${user}' -w '${pass}' ${ip} > ${out} 2>&1`;
        // Both clients at once (each runs about 15 s to its end), their outputs apart.
        const t = Date.now();
        const both = sh(
          0,
          `d=$(mktemp -d) && { ${client(turn.username, turn.password, "$d/ok")} & ${client(turn.username, `${turn.password}x`, "$d/bad")} & wait; cat $d/ok; echo '<<refused>>'; cat $d/bad; rm -rf $d; }`,
        );
        console.log(
          `TURN allocation: granted and refused clients, side by side, done in ${Date.now() - t} ms`,
        );
        const [okOut = "", badOut = ""] = both.stdout.split("<<refused>>\n");
        const ok = { stdout: okOut };
        const bad = { stdout: badOut };
        expect(ok.stdout).toContain("allocate response received");
        expect(ok.stdout).not.toMatch(/error 401|Unauthorized/i);
        expect(bad.stdout).toMatch(/error 401|Unauthorized|cannot complete Allocation/i);
      });

      it("federates: a user on the other homeserver joins a room over federation and reads a message", async () => {
        register(1, "bob", "bob-password-1");
        tokens.bob = login(1, "bob", "bob-password-1");
        // The federation port answers through Apache with the other server's certificate.
        expect(json(1, 0, "/_matrix/federation/v1/version", { port: 8448 }).server.name).toBe(
          "Synapse",
        );
        const room = json(0, 0, "/_matrix/client/v3/createRoom", {
          token: tokens.alice as string,
          data: { preset: "public_chat", name: "federation test" },
        }).room_id as string;
        expect(room).toMatch(/^!/);
        const joined = json(
          1,
          1,
          `/_matrix/client/v3/join/${encodeURIComponent(room)}?server_name=${server(0)}`,
          {
            token: tokens.bob as string,
            data: {},
          },
        );
        expect(joined.room_id).toBe(room);
        const txn = `t${Date.now()}`;
        json(
          0,
          0,
          `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/send/m.room.message/${txn}`,
          {
            token: tokens.alice as string,
            method: "PUT",
            data: { msgtype: "m.text", body: "hello over federation" },
          },
        );
        let bodies: string[] = [];
        for (let n = 0; n < 60 && !bodies.includes("hello over federation"); n++) {
          const msgs = json(
            1,
            1,
            `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/messages?dir=b&limit=20`,
            {
              token: tokens.bob as string,
            },
          );
          bodies = (msgs.chunk as { type: string; content: { body?: string } }[])
            .filter((e) => e.type === "m.room.message")
            .map((e) => e.content.body as string);
          if (!bodies.includes("hello over federation"))
            await new Promise((r) => setTimeout(r, 1000));
        }
        expect(bodies).toContain("hello over federation");
      });

      describe("Synapse's startup checks", () => {
        /** Synapse in the foreground with a copy of our config changed by sed, as its user. */
        function startWith(sed: string) {
          sh(
            0,
            `sed ${sed} ${CONF} > /tmp/hs-check.yaml && sed -i 's|^pid_file:.*|pid_file: /tmp/hs-check.pid|' /tmp/hs-check.yaml && chown synapse /tmp/hs-check.yaml`,
          );
          return sh(
            0,
            `cd /tmp && timeout 120 su -m -s /bin/sh synapse -c '${VENV_PYTHON} -m synapse.app.homeserver -c /tmp/hs-check.yaml' 2>&1`,
          );
        }

        /** A database our recipe did not make, reachable by the synapse role as ours is. */
        function foreignDatabase(name: string, options: string) {
          psql(
            0,
            `create database ${name} owner synapse template template0 ${options}`,
            "postgres",
          );
          const hba = psql(0, "show hba_file", "postgres");
          sh(0, `echo 'host ${name} synapse 127.0.0.1/32 scram-sha-256' >> ${hba}`);
          psql(0, "select pg_reload_conf()", "postgres");
        }

        it("refuses a database that is not UTF8", () => {
          foreignDatabase("synapse_ascii", "encoding 'SQL_ASCII' lc_collate 'C' lc_ctype 'C'");
          const r = startWith("'s|dbname: synapse$|dbname: synapse_ascii|'");
          expect(r.code).not.toBe(0);
          expect(r.stdout).toContain(
            "Database has incorrect encoding: 'SQL_ASCII' instead of 'UTF8'",
          );
        });

        it("refuses a collation other than C", () => {
          foreignDatabase(
            "synapse_coll",
            "encoding 'UTF8' lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8'",
          );
          const r = startWith("'s|dbname: synapse$|dbname: synapse_coll|'");
          expect(r.code).not.toBe(0);
          // Synapse 1.160 raises the message with its argument unformatted.
          expect(r.stdout).toContain(
            "IncorrectDatabaseSetup: (\"Database has incorrect collation of %r. Should be 'C'",
          );
          expect(r.stdout).toContain("'C.UTF-8')");
        });

        it("refuses a signing key it cannot read", () => {
          sh(
            0,
            "install -m 0600 -o root /dev/null /tmp/unreadable.signing.key && echo 'ed25519 a_x ' >> /tmp/unreadable.signing.key",
          );
          const r = startWith(
            "'s|^signing_key_path:.*|signing_key_path: \"/tmp/unreadable.signing.key\"|'",
          );
          expect(r.code).not.toBe(0);
          expect(r.stdout).toMatch(/signing_key|Permission denied/);
        });

        it("our recipe's database and key pass them: the running Synapse has our database", () => {
          expect(
            psql(
              0,
              "select pg_encoding_to_char(encoding) || '|' || datcollate || '|' || datctype from pg_database where datname = 'synapse'",
              "postgres",
            ),
          ).toBe("UTF8|C|C");
          expect(sh(0, "service synapse status").code).toBe(0);
        });
      });
    },
  );
}
