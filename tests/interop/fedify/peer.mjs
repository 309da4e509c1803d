// A small, independent ActivityPub peer built with Fedify, for Kollegium's interop tests.
//
// One actor (`alice` by default) with an RSA key (draft-cavage HTTP signatures) and an
// Ed25519 key (Object Integrity Proofs), WebFinger, NodeInfo-free, an inbox that records
// every activity Fedify accepted (so its signature was verified), and a small control API
// under /_test/ that the Python tests drive:
//
//   GET  /_test/inbox       activities the inbox accepted, in arrival order
//   GET  /_test/requests    every POST that reached an inbox path: path, status, Signature
//   POST /_test/follow      {"target": actorUri}              -> {"id"}
//   POST /_test/create      {"content", "mention"?: actorUri}  -> {"id", "note"}
//   POST /_test/like        {"object": noteUri, "author": actorUri} -> {"id"}
//   POST /_test/undo        {"activity": id}                   -> {"id"}
//   POST /_test/delete      {"note": noteUri}                  -> {"id"}
//
// Deliveries are sent immediately (no queue): a command answers 200 only when every
// recipient's inbox accepted it, and 502 with the error otherwise.
//
// Signature verification stays ON (skipSignatureVerification is never set); only private
// addresses are allowed, because every peer of these tests listens on 127.0.0.x.

import { createServer } from "node:http";
import { Temporal } from "@js-temporal/polyfill";
import { randomUUID } from "node:crypto";
import {
  Accept,
  Create,
  Delete,
  Endpoints,
  Follow,
  Like,
  Mention,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Tombstone,
  Undo,
  Activity,
  createFederation,
  generateCryptoKeyPair,
  MemoryKvStore,
} from "@fedify/fedify";

const HOST = process.env.PEER_HOST ?? "127.0.0.5";
const PORT = Number(process.env.PEER_PORT ?? "8090");
const ACTOR = process.env.PEER_ACTOR ?? "alice";
const ORIGIN = `http://${HOST}:${PORT}`;

const keyPairs = [
  await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
  await generateCryptoKeyPair("Ed25519"),
];
const received = [];
const requests = [];
const followers = new Map(); // actor id -> recipient {id, inboxId, endpoints}
const notes = new Map(); // note id -> Note
const sent = new Map(); // activity id -> {activity, recipients}

const federation = createFederation({
  kv: new MemoryKvStore(),
  origin: ORIGIN,
  allowPrivateAddress: true,
});

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== ACTOR) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Alice Fedify",
      summary: "An independent Fedify peer.",
      url: new URL(`/@${identifier}`, ORIGIN),
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      followers: ctx.getFollowersUri(identifier),
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((key) => key.multikey),
    });
  })
  .setKeyPairsDispatcher((_ctx, identifier) => (identifier === ACTOR ? keyPairs : []));

federation.setFollowersDispatcher("/users/{identifier}/followers", (_ctx, identifier) => {
  if (identifier !== ACTOR) return null;
  return { items: [...followers.values()] };
});

federation.setObjectDispatcher(Note, "/users/{identifier}/notes/{id}", (ctx, values) => {
  return notes.get(ctx.getObjectUri(Note, values).href) ?? null;
});

async function record(activity) {
  received.push({
    type: activity.constructor.name,
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    object: activity.objectId?.href ?? null,
    json: await activity.toJsonLd({ format: "compact" }),
  });
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, async (ctx, follow) => {
    await record(follow);
    if (follow.objectId?.href !== ctx.getActorUri(ACTOR).href) return;
    const follower = await follow.getActor(ctx);
    if (follower?.id == null || follower.inboxId == null) return;
    followers.set(follower.id.href, {
      id: follower.id,
      inboxId: follower.inboxId,
      endpoints: follower.endpoints,
    });
    const accept = new Accept({
      id: new URL(`/accepts/${randomUUID()}`, ORIGIN),
      actor: ctx.getActorUri(ACTOR),
      object: follow,
    });
    await ctx.sendActivity({ identifier: ACTOR }, follower, accept, { immediate: true });
  })
  .on(Activity, async (_ctx, activity) => {
    await record(activity);
  })
  .onError((_ctx, error) => {
    received.push({ type: "Error", error: String(error) });
  });

async function send(ctx, recipients, activity) {
  await ctx.sendActivity({ identifier: ACTOR }, recipients, activity, { immediate: true });
  sent.set(activity.id.href, { activity, recipients });
  return { id: activity.id.href };
}

async function lookupActor(ctx, uri) {
  const actor = await ctx.lookupObject(uri);
  if (actor?.inboxId == null) throw new Error(`no actor with an inbox at ${uri}`);
  return actor;
}

const commands = {
  async follow(ctx, { target }) {
    const actor = await lookupActor(ctx, target);
    const follow = new Follow({
      id: new URL(`/follows/${randomUUID()}`, ORIGIN),
      actor: ctx.getActorUri(ACTOR),
      object: actor.id,
    });
    return send(ctx, actor, follow);
  },

  async create(ctx, { content, mention }) {
    const noteId = ctx.getObjectUri(Note, { identifier: ACTOR, id: randomUUID() });
    const recipients = [...followers.values()];
    const ccs = [ctx.getFollowersUri(ACTOR)];
    const tags = [];
    if (mention) {
      const mentioned = await lookupActor(ctx, mention);
      recipients.push(mentioned);
      ccs.push(mentioned.id);
      const name = `@${mentioned.preferredUsername}@${mentioned.id.host}`;
      tags.push(new Mention({ href: mentioned.id, name }));
    }
    const note = new Note({
      id: noteId,
      attribution: ctx.getActorUri(ACTOR),
      to: PUBLIC_COLLECTION,
      ccs,
      content,
      tags,
      published: Temporal.Now.instant(),
      url: noteId,
    });
    notes.set(noteId.href, note);
    const create = new Create({
      id: new URL(`${noteId.href}#create`),
      actor: ctx.getActorUri(ACTOR),
      object: note,
      to: PUBLIC_COLLECTION,
      ccs,
      published: note.published,
    });
    return { ...(await send(ctx, recipients, create)), note: noteId.href };
  },

  async like(ctx, { object, author }) {
    const like = new Like({
      id: new URL(`/likes/${randomUUID()}`, ORIGIN),
      actor: ctx.getActorUri(ACTOR),
      object: new URL(object),
    });
    return send(ctx, await lookupActor(ctx, author), like);
  },

  async undo(ctx, { activity }) {
    const original = sent.get(activity);
    if (original == null) throw new Error(`nothing sent with id ${activity}`);
    const undo = new Undo({
      id: new URL(`/undos/${randomUUID()}`, ORIGIN),
      actor: ctx.getActorUri(ACTOR),
      object: original.activity,
    });
    return send(ctx, original.recipients, undo);
  },

  async delete(ctx, { note }) {
    const original = sent.get(`${note}#create`);
    if (original == null) throw new Error(`no note ${note}`);
    notes.delete(note);
    const deletion = new Delete({
      id: new URL(`/deletes/${randomUUID()}`, ORIGIN),
      actor: ctx.getActorUri(ACTOR),
      object: new Tombstone({ id: new URL(note) }),
      to: PUBLIC_COLLECTION,
    });
    return send(ctx, original.recipients, deletion);
  },
};

function json(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function control(req, res, url, body) {
  if (req.method === "GET" && url.pathname === "/_test/inbox") return json(res, 200, received);
  if (req.method === "GET" && url.pathname === "/_test/requests") return json(res, 200, requests);
  if (req.method === "GET" && url.pathname === "/_test/health") return json(res, 200, { ORIGIN });
  const command = commands[url.pathname.slice("/_test/".length)];
  if (req.method !== "POST" || command == null) return json(res, 404, { error: "no such command" });
  const ctx = federation.createContext(new URL(ORIGIN));
  try {
    return json(res, 200, await command(ctx, JSON.parse(body.toString("utf8") || "{}")));
  } catch (error) {
    return json(res, 502, { error: String(error?.stack ?? error) });
  }
}

function toRequest(req, url, body) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const one of [value].flat()) headers.append(name, one);
  }
  const hasBody = !["GET", "HEAD"].includes(req.method);
  return new Request(url, { method: req.method, headers, body: hasBody ? body : undefined });
}

async function handle(req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const url = new URL(req.url, ORIGIN);
  if (url.pathname.startsWith("/_test/")) return control(req, res, url, body);
  const response = await federation.fetch(toRequest(req, url, body), { contextData: undefined });
  if (req.method === "POST" && url.pathname.endsWith("inbox")) {
    requests.push({
      path: url.pathname,
      status: response.status,
      signature: req.headers["signature"] ?? null,
      signatureInput: req.headers["signature-input"] ?? null,
    });
  }
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

createServer((req, res) => {
  handle(req, res).catch((error) => json(res, 500, { error: String(error?.stack ?? error) }));
}).listen(PORT, HOST, () => {
  console.log(`fedify peer ${ACTOR} on ${ORIGIN}`);
});
