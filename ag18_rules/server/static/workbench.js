// The workbench page: upload a plan into a session, apply suggested changes, undo, download.
// Every text from the server is put in the page with textContent, never as HTML.
"use strict";
(function () {
  const main = document.querySelector("main");
  const lang = main.dataset.lang;
  const root = main.dataset.base || "";  // where the application is mounted
  const words = JSON.parse(main.dataset.words);
  const $ = (id) => document.getElementById(id);
  const TYPES = { yaml: "application/yaml", yml: "application/yaml", json: "application/json",
                  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" };
  let sessionId = location.hash.slice(1) || null;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, k) => (k in values ? values[k] : ""));
  }

  async function call(method, url, body, type) {
    const sep = url.includes("?") ? "&" : "?";
    const options = { method, headers: {} };
    if (body !== undefined) { options.body = body; options.headers["Content-Type"] = type; }
    const response = await fetch(root + url + sep + "lang=" + lang + "&html=true", options);
    const data = response.status === 204 ? null : await response.json();
    if (!response.ok) throw data || { title: response.statusText, diagnostics: [] };
    return data;
  }

  function showProblem(problem) {
    const box = $("problems");
    box.replaceChildren(el("h2", null, (problem && problem.title) || words.failed));
    if (problem && problem.detail) box.append(el("p", null, problem.detail));
    const list = el("ul", "diagnostics");
    for (const d of (problem && problem.diagnostics) || []) {
      const where = [d.sheet || d.file, d.line ? d.line + ":" + d.col : ""].filter(Boolean).join(":");
      list.append(el("li", null, (where ? where + ": " : "") + d.code + ": " + d.message + (d.path ? " (" + d.path + ")" : "")));
    }
    box.append(list);
    box.hidden = false;
  }

  function render(data) {
    $("problems").hidden = true;
    $("session").hidden = false;
    const report = data.report;
    const verdict = $("verdict");
    verdict.dataset.verdict = report.verdict;
    verdict.className = "verdict " + report.verdict;
    verdict.textContent = words[report.verdict] + " — " + report.plan;
    $("summary").textContent = fill(words.summary, report.summary);
    $("undo").disabled = !data.version;
    const base = root + "/v1/sessions/" + encodeURIComponent(data.id);
    $("download-yaml").href = base + "/plan?format=yaml";
    $("download-xlsx").href = base + "/plan?format=xlsx";
    $("download-report").href = base + "/report?format=html&lang=" + lang;
    const list = $("findings");
    list.replaceChildren();
    const shown = $("report");
    if (typeof data.html === "string") {
      // the HTML report rendered (and escaped) by the server; its findings carry their fix's changes
      shown.innerHTML = data.html;
      shown.hidden = false;
      $("summary").hidden = true;  // the report's own summary stands in for it
      // what an officer acts on first: the findings (with their Apply buttons) ahead of the trees and charts
      const findings = shown.querySelector(".findings-section");
      if (findings) shown.prepend(findings);
      for (const article of shown.querySelectorAll(".finding[data-changes]")) addApply(article);
      return;
    }
    shown.hidden = true;
    $("summary").hidden = false;
    if (!report.findings.length) list.append(el("li", "empty", words.none));
    for (const f of report.findings) list.append(finding(f));
  }

  function addApply(article) {
    let changes = [];
    try { changes = JSON.parse(article.dataset.changes || "[]"); } catch (e) { changes = []; }
    if (!changes.length) return;
    const button = el("button", "apply", words.apply);
    button.type = "button";
    button.addEventListener("click", () => apply(changes.map((c) => ({ field: c.field, to: c.to }))));
    const row = el("div", "fix no-print");
    row.append(button);
    article.append(row);
  }

  function finding(f) {
    const item = el("li", "finding sev-" + f.severity + (f.waived ? " waived" : ""));
    item.dataset.severity = f.severity;
    item.dataset.rule = f.rule;
    item.dataset.entity = f.entity.id;
    const head = el("div", "head");
    head.append(el("span", "sev " + f.severity, words[f.severity] || f.severity), " ");
    const rule = el("a", "rule", f.rule);
    rule.href = root + "/rules/" + encodeURIComponent(f.rule) + "?lang=" + lang;
    head.append(rule, " · ", el("strong", null, f.entity.name || f.entity.id));
    item.append(head, el("p", "message", f.message));
    for (const fix of f.fixes || []) {
      if (!fix.changes || !fix.changes.length) continue;
      const row = el("div", "fix");
      row.append(el("span", null, words.fix + ": " + (fix.text || "")), " ");
      const button = el("button", "apply", words.apply);
      button.type = "button";
      button.addEventListener("click", () => apply(fix.changes.map((c) => ({ field: c.field, to: c.to }))));
      row.append(button);
      item.append(row);
    }
    if (!(f.fixes || []).length && f.fix) item.append(el("p", "hint", words.fix + ": " + f.fix));
    return item;
  }

  async function upload(file) {
    const ext = file.name.split(".").pop().toLowerCase();
    try {
      const data = await call("POST", "/v1/sessions", await file.arrayBuffer(), TYPES[ext] || file.type || "application/yaml");
      sessionId = data.id;
      history.replaceState(null, "", "#" + sessionId);
      $("note").textContent = "";
      render(data);
    } catch (problem) { showProblem(problem); }
  }

  async function apply(changes) {
    try {
      const data = await call("POST", "/v1/sessions/" + encodeURIComponent(sessionId) + "/changes",
                              JSON.stringify({ changes, author: "workbench" }), "application/json");
      render(data);
      $("note").textContent = fill(words.applied, { added: data.delta.added.length,
        removed: data.delta.removed.length, changed: data.delta.changed.length });
    } catch (problem) { showProblem(problem); }
  }

  async function undo() {
    try {
      render(await call("POST", "/v1/sessions/" + encodeURIComponent(sessionId) + "/undo"));
      $("note").textContent = words.undone;
    } catch (problem) { showProblem(problem); }
  }

  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault(); drop.classList.remove("over");
    if (e.dataTransfer.files.length) upload(e.dataTransfer.files[0]);
  });
  $("file").addEventListener("change", (e) => { if (e.target.files.length) upload(e.target.files[0]); });
  $("undo").addEventListener("click", undo);
  // the report's own controls (severity filters, print), bound once for every report shown
  $("report").addEventListener("change", (e) => {
    const sev = e.target.dataset && e.target.dataset.filter;
    if (!sev) return;
    for (const f of $("report").querySelectorAll(".finding")) {
      if (f.dataset.severity === sev) f.hidden = !e.target.checked;
    }
  });
  $("report").addEventListener("click", (e) => {
    if (e.target.closest && e.target.closest("[data-action=print]")) window.print();
  });
  if (sessionId) {
    call("GET", "/v1/sessions/" + encodeURIComponent(sessionId)).then(render, () => {
      sessionId = null; history.replaceState(null, "", location.pathname + location.search);
    });
  }
})();
