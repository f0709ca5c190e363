// Synapse's client API on a test host, through Synapse's own listener (127.0.0.1:8008), with
// curl on the host: what a Matrix client does, for tests that need users, rooms and events made
// by the real Synapse rather than by SQL.
import { expect } from "vitest";
import type { HostSet } from "../../testhost/src/hosts.js";
import { sh } from "./testhost.js";

export interface ApiReply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: Matrix replies are JSON of many shapes
  body: any;
}

/** One request; the reply's HTTP status and JSON body (no exception on an error status). */
export function clientApi(
  set: HostSet,
  host: number,
  path: string,
  opts: { data?: unknown; token?: string; method?: string } = {},
): ApiReply {
  const args = [
    "curl -sS --max-time 30 -w '\\n%{http_code}'",
    opts.token ? `-H 'Authorization: Bearer ${opts.token}'` : "",
    opts.method ? `-X ${opts.method}` : "",
    opts.data !== undefined ? "-H 'Content-Type: application/json' --data-binary @-" : "",
    `'http://127.0.0.1:8008${path}'`,
  ];
  const r = sh(set, host, args.join(" "), opts.data !== undefined ? JSON.stringify(opts.data) : "");
  if (r.code !== 0) throw new Error(`curl ${path} on host ${host}: ${r.stderr}`);
  const cut = r.stdout.lastIndexOf("\n");
  const text = r.stdout.slice(0, cut);
  return { status: Number(r.stdout.slice(cut + 1)), body: text ? JSON.parse(text) : undefined };
}

/** The same, failing with Synapse's answer unless it is 200. */
// biome-ignore lint/suspicious/noExplicitAny: see ApiReply
export function clientOk(...args: Parameters<typeof clientApi>): any {
  const r = clientApi(...args);
  if (r.status !== 200)
    throw new Error(`${args[2]} on host ${args[1]}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** POST /login with a password: the access token, or the refusal's status. */
export function passwordLogin(set: HostSet, host: number, user: string, password: string) {
  const r = clientApi(set, host, "/_matrix/client/v3/login", {
    data: { type: "m.login.password", identifier: { type: "m.id.user", user }, password },
  });
  return {
    status: r.status,
    userId: r.body?.user_id as string | undefined,
    token: r.body?.access_token as string | undefined,
  };
}

const room = (id: string) => encodeURIComponent(id);

/** Sends text messages one by one (each with its own transaction id); their event ids. */
export function sendTexts(
  set: HostSet,
  host: number,
  token: string,
  roomId: string,
  bodies: string[],
): string[] {
  return bodies.map(
    (body, i) =>
      clientOk(
        set,
        host,
        `/_matrix/client/v3/rooms/${room(roomId)}/send/m.room.message/t${Date.now()}-${i}`,
        { token, method: "PUT", data: { msgtype: "m.text", body } },
      ).event_id as string,
  );
}

/** The room's text messages as the user reads them through /messages, oldest first. */
export function readTexts(set: HostSet, host: number, token: string, roomId: string): string[] {
  const page = clientOk(
    set,
    host,
    `/_matrix/client/v3/rooms/${room(roomId)}/messages?dir=b&limit=1000`,
    { token },
  );
  return (
    page.chunk as { type: string; event_id: string; sender: string; content: { body?: string } }[]
  )
    .filter((e) => e.type === "m.room.message")
    .map((e) => `${e.event_id} ${e.sender}: ${e.content.body}`)
    .reverse();
}

/**
 * The ERROR lines of Synapse's homeserver.log, less the one report every stop of a daemonized
 * Synapse writes on Python 3.10 and later: its daemonize exit handler calls sys.exit(0) inside
 * an atexit callback, which Python reports as "Exception ignored in atexit callback" with the
 * traceback ending in "SystemExit: 0" (synapse/util/daemonize.py; the same as
 * thesharp/daemonize#80). It says the process stopped, nothing else.
 */
export function synapseErrors(log: string): string[] {
  const errors = log.split("\n").filter((l) => l.includes(" - ERROR - "));
  const message = (l: string) => l.replace(/^.* - ERROR - [^ ]* - /, "");
  const EXIT_REPORT = [
    /^Exception ignored in atexit callback:? <function daemonize_process\.<locals>\.exit at 0x[0-9a-f]+>:?$/,
    /^Traceback \(most recent call last\):$/,
    /^ {2}File "[^"]*\/synapse\/util\/daemonize\.py", line \d+, in exit$/,
    /^ {4}sys\.exit\(0\)$/,
    /^SystemExit: 0$/,
  ];
  const out: string[] = [];
  for (let i = 0; i < errors.length; i++) {
    const block = errors.slice(i, i + EXIT_REPORT.length).map(message);
    if (
      block.length === EXIT_REPORT.length &&
      EXIT_REPORT.every((re, n) => re.test(block[n] ?? ""))
    )
      i += EXIT_REPORT.length - 1;
    else out.push(errors[i] as string);
  }
  return out;
}

/** Who talks in the room chatThroughClientApi makes, and how many messages each sends. */
export const CHAT_USERS = [
  { user: "alice", password: "alice-pass-1", texts: 8 },
  { user: "bob", password: "bob-pass-1", texts: 8 },
  { user: "carol", password: "carol-pass-1", texts: 4 },
];

export interface Chat {
  room: string;
  /** The room's messages as read through /messages: "EVENT_ID SENDER: BODY", oldest first. */
  texts: string[];
  /** Access tokens by user. */
  tokens: Record<string, string>;
}

/**
 * Users registered by `register` (e.g. provision register-user), each logged in with its password
 * through the client API; alice creates a room, the others join, each sends messages (within
 * the message burst our homeserver.yaml allows, rc_message).
 */
export function chatThroughClientApi(
  set: HostSet,
  host: number,
  register: (user: string, password: string) => void,
): Chat {
  const tokens: Record<string, string> = {};
  for (const u of CHAT_USERS) {
    register(u.user, u.password);
    const login = passwordLogin(set, host, u.user, u.password);
    expect(login.status, u.user).toBe(200);
    tokens[u.user] = login.token as string;
  }
  const alice = tokens.alice as string;
  const roomId = clientOk(set, host, "/_matrix/client/v3/createRoom", {
    token: alice,
    data: { preset: "public_chat", name: "test room" },
  }).room_id as string;
  for (const u of CHAT_USERS.slice(1))
    clientOk(set, host, `/_matrix/client/v3/join/${room(roomId)}`, {
      token: tokens[u.user],
      data: {},
    });
  for (const u of CHAT_USERS) {
    const bodies = Array.from({ length: u.texts }, (_, n) => `${u.user} says ${n + 1} (héllo ✓)`);
    sendTexts(set, host, tokens[u.user] as string, roomId, bodies);
  }
  const texts = readTexts(set, host, alice, roomId);
  expect(texts).toHaveLength(CHAT_USERS.reduce((n, u) => n + u.texts, 0));
  return { room: roomId, texts, tokens };
}

/**
 * Every user of the chat logs in with the same password as `@user:serverName` and reads the same
 * messages; their new access tokens.
 */
export function sameChat(
  set: HostSet,
  host: number,
  chat: Chat,
  serverName: string,
): Record<string, string> {
  const tokens: Record<string, string> = {};
  for (const u of CHAT_USERS) {
    const login = passwordLogin(set, host, u.user, u.password);
    expect(login.status, u.user).toBe(200);
    expect(login.userId).toBe(`@${u.user}:${serverName}`);
    expect(readTexts(set, host, login.token as string, chat.room), u.user).toEqual(chat.texts);
    tokens[u.user] = login.token as string;
  }
  return tokens;
}

/** Uploads `bytes` random bytes through the media API: the content's mxc URI and sha256. */
export function uploadRandom(set: HostSet, host: number, token: string, bytes: number) {
  const r = sh(
    set,
    host,
    [
      `f=$(mktemp) && head -c ${bytes} /dev/urandom > $f && sha256sum $f | cut -d' ' -f1`,
      `curl -sS --max-time 30 -X POST -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/octet-stream' --data-binary @$f 'http://127.0.0.1:8008/_matrix/media/v3/upload?filename=blob'`,
      "rm -f $f",
    ].join(" && "),
  );
  const [sha256 = "", reply = "{}"] = r.stdout.split("\n");
  const mxc = JSON.parse(reply).content_uri as string | undefined;
  if (r.code !== 0 || !mxc) throw new Error(`media upload on host ${host}: ${r.stdout}${r.stderr}`);
  return { mxc, sha256 };
}

/** The sha256 of media content as Synapse serves it (authenticated media download). */
export function downloadSha256(set: HostSet, host: number, token: string, mxc: string): string {
  const [server, id] = mxc.replace(/^mxc:\/\//, "").split("/");
  const r = sh(
    set,
    host,
    `curl -sSf --max-time 30 -H 'Authorization: Bearer ${token}' 'http://127.0.0.1:8008/_matrix/client/v1/media/download/${server}/${id}' | sha256sum | cut -d' ' -f1`,
  );
  return r.stdout.trim();
}
