// The streaming extras of hubspec's client suite (scenarios/client/streaming.yaml), for both JS
// agents: the server asks the client to stream, the client answers with EchoReply once the
// stream is over. `connection` is a HubConnection of either client (the 1.x and 10.x stream APIs
// have the same shape); `upload(items)` returns a promise of UploadConcat's result, or null for
// a client without upload streams.
export function addStreamingExtras(connection, { agent, upload }) {
  const errorText = (error) => String(error?.message ?? error);
  const replyWith = (value) => connection.invoke("EchoReply", value)
    .catch((e) => process.stderr.write(`${agent}: EchoReply failed: ${errorText(e)}\n`));
  connection.on("StreamFrom", (count) => {
    const items = [];
    connection.stream("Stream", count, 10).subscribe({
      next: (item) => items.push(item),
      error: (e) => replyWith(`stream failed: ${errorText(e)}`),
      complete: () => replyWith(items),
    });
  });
  connection.on("CancelStream", () => {
    let cancelled = false;
    const subscription = connection.stream("InfiniteStream", 20).subscribe({
      next: () => {
        if (cancelled) return;
        cancelled = true;
        subscription.dispose(); // CancelInvocation
        replyWith("cancelled");
      },
      error: () => {},
      complete: () => {},
    });
  });
  connection.on("UploadFrom", (items) => {
    const result = upload(items);
    if (!result) return replyWith(`upload streams are not supported by ${agent}`);
    result.then(replyWith, (e) => replyWith(`upload failed: ${errorText(e)}`));
  });
}
