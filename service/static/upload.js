// The upload page: send a dropped file or a URL to /v1/analyze, then open its report.
"use strict";

const statusLine = document.getElementById("status");

function show(text, isError) {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", Boolean(isError));
}

async function analyze(request) {
  show("Analysing…");
  let response;
  try {
    response = await fetch("/v1/analyze", { method: "POST", ...request });
  } catch (error) {
    show("The service cannot be reached.", true);
    return;
  }
  // Every answer, error or not, is JSON: read it only after checking it is.
  const isJson = (response.headers.get("Content-Type") || "").startsWith("application/json");
  const body = isJson ? await response.json() : null;
  if (!response.ok || !body || typeof body.report_url !== "string") {
    show(body && body.error ? body.error.message : `The service answered ${response.status}.`, true);
    return;
  }
  window.location.assign(body.report_url);
}

function sendFile(file) {
  if (!file) return;
  const form = new FormData();
  form.append("image", file);
  analyze({ body: form });
}

const drop = document.getElementById("drop");
const fileInput = document.getElementById("file");
fileInput.addEventListener("change", () => sendFile(fileInput.files[0]));
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  sendFile(event.dataTransfer.files[0]);
});

document.getElementById("url-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const url = document.getElementById("url").value.trim();
  analyze({ headers: { "Content-Type": "application/json" }, body: JSON.stringify({ url }) });
});
