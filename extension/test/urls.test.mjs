import assert from "node:assert/strict";
import { test } from "node:test";

import { dataUrl, normalizeServiceUrl, originPattern, serviceLink, sourceKind } from "../lib/urls.js";

test("what the worker can do with each kind of image address", () => {
  assert.equal(sourceKind("https://example.org/a.jpg"), "http");
  assert.equal(sourceKind("http://127.0.0.1:8000/a.jpg?x=1"), "http");
  assert.equal(sourceKind("data:image/png;base64,iVBORw0KGgo="), "data");
  assert.equal(sourceKind("data:text/html,<b>hi</b>"), "unsupported");
  assert.equal(sourceKind("blob:https://example.org/4c1d6f0e-0000"), "blob");
  assert.equal(sourceKind("file:///etc/passwd"), "unsupported");
  assert.equal(sourceKind("not a url"), "unsupported");
});

test("service addresses from the options are checked and normalised", () => {
  assert.equal(normalizeServiceUrl(" http://127.0.0.1:8080/ "), "http://127.0.0.1:8080");
  assert.equal(normalizeServiceUrl("https://fakecheck.example/api//"), "https://fakecheck.example/api");
  assert.equal(normalizeServiceUrl("ftp://example.org"), null);
  assert.equal(normalizeServiceUrl("http://user:pw@example.org"), null);
  assert.equal(normalizeServiceUrl("example.org"), null);
});

test("links from the service are made absolute against its address", () => {
  const sha = "a".repeat(64);
  assert.equal(serviceLink("http://127.0.0.1:8080", `/results/${sha}`), `http://127.0.0.1:8080/results/${sha}`);
  assert.equal(serviceLink("https://fc.example/", "/v1/results/x/heatmap.png"), "https://fc.example/v1/results/x/heatmap.png");
  assert.equal(originPattern("http://127.0.0.1:9000"), "http://127.0.0.1:9000/*");
});

test("blobs become data: URLs that decode to the same bytes, large ones too", async () => {
  const bytes = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 256);
  const url = await dataUrl(new Blob([bytes], { type: "image/png" }));
  assert.ok(url.startsWith("data:image/png;base64,"));
  assert.deepEqual(new Uint8Array(await (await fetch(url)).arrayBuffer()), bytes);
  assert.equal(await dataUrl(new Blob([])), "data:application/octet-stream;base64,");
});
