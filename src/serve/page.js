// gradwork serve: the editor re-solves the exercise as one types (after a
// pause), shows the worked solution beside it and the diagnostics at their
// lines. Nothing is written unless Save is pressed.
"use strict";
const $ = (id) => document.getElementById(id);
const editor = $("editor"), gutter = $("gutter"), view = $("view");
// The worked solution is the HTML renderer's document (gradwork's own
// output, every text escaped, no scripts), in a shadow root so its styles
// stay its own.
const shadow = view.attachShadow({ mode: "open" });
const files = $("files"), diagnostics = $("diagnostics"), answers = $("answers"), statusBar = $("status");
let current = "exercise.gw", timer = null, sequence = 0, bad = new Set();

function lines() {
  const n = editor.value.split("\n").length;
  let out = "";
  for (let i = 1; i <= n; i++) out += bad.has(i) ? `<span class="bad">${i}</span>\n` : `${i}\n`;
  gutter.innerHTML = out;
  gutter.scrollTop = editor.scrollTop;
}

function text(tag, content, cls) {
  const e = document.createElement(tag);
  e.textContent = content;
  if (cls) e.className = cls;
  return e;
}

async function solve() {
  const mine = ++sequence;
  statusBar.textContent = "solving…";
  document.body.dataset.state = "solving";
  let result;
  try {
    const r = await fetch("/api/solve?name=" + encodeURIComponent(current), { method: "POST", body: editor.value });
    result = await r.json();
    if (!r.ok) throw new Error(result.error || r.statusText);
  } catch (e) {
    if (mine === sequence) { statusBar.textContent = "error: " + e.message; document.body.dataset.state = "error"; }
    return;
  }
  if (mine !== sequence) return; // a newer edit is being solved
  shadow.innerHTML = result.html;
  view.dataset.math = String(shadow.querySelectorAll("math").length);
  answers.replaceChildren(...result.answers.map((a) => text("li", `${a.id} = ${a.value}`)));
  bad = new Set(result.errors.map((e) => e.line));
  diagnostics.replaceChildren(...result.errors.map((e) => {
    const li = document.createElement("li");
    li.append(text("span", `line ${e.line}:${e.column}`, "where"), text("span", `${e.kind}: ${e.message}`));
    if (e.hint) li.append(text("span", e.hint, "hint"));
    li.addEventListener("click", () => goto(e.line, e.column));
    return li;
  }));
  lines();
  statusBar.textContent = result.ok ? "solved" : `${result.errors.length} error(s)`;
  document.body.dataset.state = "solved";
  document.body.dataset.solves = String(Number(document.body.dataset.solves || 0) + 1);
}

function goto(line, column) {
  const rows = editor.value.split("\n");
  let at = 0;
  for (let i = 0; i < line - 1 && i < rows.length; i++) at += rows[i].length + 1;
  at += Math.max(0, column - 1);
  editor.focus();
  editor.setSelectionRange(at, at);
}

function edited() {
  lines();
  clearTimeout(timer);
  timer = setTimeout(solve, 300);
}

async function openFile(name) {
  const r = await fetch("/api/file?path=" + encodeURIComponent(name));
  if (!r.ok) { statusBar.textContent = "cannot open " + name; return; }
  current = name;
  editor.value = await r.text();
  edited();
}

async function download(format) {
  const r = await fetch(`/api/key?format=${format}&name=${encodeURIComponent(current)}`, { method: "POST", body: editor.value });
  if (!r.ok) { statusBar.textContent = "cannot make the key"; return; }
  const name = (r.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
  const a = document.createElement("a");
  a.href = URL.createObjectURL(await r.blob());
  a.download = name ? name[1] : "key." + format;
  a.click();
  URL.revokeObjectURL(a.href);
}

async function save() {
  const r = await fetch("/api/save?path=" + encodeURIComponent(current), { method: "POST", body: editor.value });
  statusBar.textContent = r.ok ? "saved " + current : "not saved: " + ((await r.json()).error || r.statusText);
}

editor.addEventListener("input", edited);
editor.addEventListener("scroll", () => { gutter.scrollTop = editor.scrollTop; });
editor.addEventListener("keydown", (e) => {
  if (e.key === "Tab") { e.preventDefault(); editor.setRangeText("    ", editor.selectionStart, editor.selectionEnd, "end"); edited(); }
});
files.addEventListener("change", () => openFile(files.value));
$("save").addEventListener("click", save);
document.querySelectorAll("[data-format]").forEach((b) => b.addEventListener("click", () => download(b.dataset.format)));

(async () => {
  const list = await (await fetch("/api/files")).json();
  files.replaceChildren(...list.map((f) => { const o = text("option", f); o.value = f; return o; }));
  const params = new URLSearchParams(location.search);
  const wanted = params.get("file");
  if (list.length) {
    const name = list.includes(wanted) ? wanted : list[0];
    files.value = name;
    await openFile(name);
  } else { editor.value = "# A new exercise\nx = 3\nshow y = x * 2\n"; edited(); }
  // `?file=…&replace=A&with=B` opens the exercise with the first A edited
  // to B, as if typed (the browser test's way in; a link to an edit).
  if (params.has("replace")) {
    clearTimeout(timer);
    await solve();
    editor.value = editor.value.replace(params.get("replace"), params.get("with") || "");
    editor.dispatchEvent(new Event("input"));
  }
})();
