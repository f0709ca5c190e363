import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../helpers/cli.js";
import { EVERYTHING_ON, fileOf, fixedSecrets, hostsFrom, renderMap } from "../helpers/render.js";

const REF = join(ROOT, "../shared/reference");
const TEST_FEDERATION = `all:
  vars:
    admin_email: a@example.org
    management_cidrs: [192.0.2.1]
    synapse: { test_federation: { ca_file: /usr/local/etc/ssl/test-ca.pem, allow_ranges: [172.17.0.0/16] } }
  hosts:
    m: { server_name: m.example.org, public_ipv4: 203.0.113.5 }
`;

const homeserverYaml = (text: string) => {
  const [host] = hostsFrom(text);
  if (!host) throw new Error("no host");
  return parse(
    fileOf(renderMap(host, fixedSecrets()), "/usr/local/etc/matrix-synapse/homeserver.yaml"),
  );
};

describe("synapse.test_federation (test networks only)", () => {
  it("renders the test CA and private ranges only when the inventory sets it", () => {
    const test = homeserverYaml(TEST_FEDERATION);
    expect(test.federation_custom_ca_list).toEqual(["/usr/local/etc/ssl/test-ca.pem"]);
    expect(test.ip_range_whitelist).toEqual(["172.17.0.0/16"]);
    const plain = homeserverYaml(TEST_FEDERATION.replace(/ {4}synapse: .*\n/, ""));
    expect(plain.federation_custom_ca_list).toBeUndefined();
    expect(plain.ip_range_whitelist).toBeUndefined();
  });
});
const schemaFile = join(REF, "synapse-config.schema.yaml");
const present = existsSync(schemaFile);
if (!present)
  console.warn(
    `skipping Synapse schema tests: ${schemaFile} not found (reference material absent)`,
  );

describe.skipIf(!present)("homeserver.yaml against Synapse's own config schema", () => {
  const schema = present ? parse(readFileSync(schemaFile, "utf8")) : {};
  const meta = present
    ? JSON.parse(readFileSync(join(REF, "synapse-config.meta.schema.json"), "utf8"))
    : {};
  // Draft 2020-12 with Synapse's documentation vocabulary (io.element.* keywords).
  const ajv = new Ajv2020.default({ allErrors: true, strict: false, validateFormats: false });
  ajv.addMetaSchema(meta);
  const validate = ajv.compile(present ? schema : {});
  const known = new Set(Object.keys(schema.properties ?? {}));

  const cases: [string, string][] = [
    ["the example inventory", readFileSync(join(ROOT, "inventory.example.yaml"), "utf8")],
    ["every option on", EVERYTHING_ON],
    [
      "federation and TURN off",
      `all:
  vars: { admin_email: a@example.org, management_cidrs: [192.0.2.1], synapse: { federation: false }, turn: { enabled: false } }
  hosts:
    m: { server_name: m.example.org, public_ipv4: 203.0.113.5 }
`,
    ],
    ["the test network's federation setting", TEST_FEDERATION],
  ];
  for (const [name, text] of cases) {
    it(`validates for ${name}, with only keys the schema knows`, () => {
      const [host] = hostsFrom(text);
      if (!host) throw new Error("no host");
      const yaml = fileOf(
        renderMap(host, fixedSecrets({ smtp_password: "test-smtp" })),
        "/usr/local/etc/matrix-synapse/homeserver.yaml",
      );
      const config = parse(yaml);
      const ok = validate(config);
      expect(ok ? [] : validate.errors).toEqual([]);
      expect(Object.keys(config).filter((k) => !known.has(k))).toEqual([]);
    });
  }

  it("drops every obsolete key of the guide", () => {
    const [host] = hostsFrom(EVERYTHING_ON);
    if (!host) throw new Error("no host");
    const yaml = fileOf(
      renderMap(host, fixedSecrets({ smtp_password: "x" })),
      "/usr/local/etc/matrix-synapse/homeserver.yaml",
    );
    for (const key of [
      "no_tls",
      "tls_fingerprints",
      "web_client",
      "perspectives",
      "rc_messages_per_second",
      "federation_rc_window_size",
      "expire_access_token",
      "trusted_third_party_id_servers",
      "riot_base_url",
      "tls_certificate_path",
      "tls_dh_params_path",
      "room_invite_state_types",
    ]) {
      expect(yaml, key).not.toMatch(new RegExp(`^\\s*${key}:`, "m"));
      expect(known.has(key) && !["tls_certificate_path"].includes(key) ? key : "", key).toBe("");
    }
  });
});
