// Streams with masto.js as Elk and Phanpy do: the token as WebSocket subprotocol, then
// `subscribe` messages. Prints one JSON line per event; "ready" once subscribed.
// Usage: node masto_stream.mjs STREAMING_URL TOKEN TAG
import { createStreamingAPIClient } from "masto";
import WebSocket from "ws";

const [streamingApiUrl, accessToken, tag] = process.argv.slice(2);
const masto = createStreamingAPIClient({
  streamingApiUrl,
  accessToken,
  implementation: WebSocket,
  retry: false,
});

async function pipe(name, subscription) {
  for await (const event of subscription) {
    const payload = typeof event.payload === "string" ? event.payload : event.payload?.id;
    console.log(JSON.stringify({ name, event: event.event, stream: event.stream, payload }));
  }
}

const user = masto.user.subscribe();
const hashtag = masto.hashtag.subscribe({ tag });
console.log("ready");
await Promise.race([pipe("user", user), pipe("hashtag", hashtag)]);
