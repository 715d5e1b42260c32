"use strict";
// kubeposture HTML report: renders the JSON islands above. Every string from the scan is set
// with textContent, never parsed as HTML.
(function () {
  const data = (id) => JSON.parse(document.getElementById(id).textContent);
  const resources = data("kp-resources");
  const findings = data("kp-findings");
  const checks = data("kp-checks");
  const meta = data("kp-meta");
  const SEVERITIES = ["critical", "high", "medium", "low", "info"];
  const STATUSES = ["fail", "unknown", "pass", "not_applicable"];
  const PAGE = 500;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null) continue;
      e.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  const resName = (r) => (r.kind === "cluster" ? (r.rg ? r.rg + "/" + r.name : r.name) : r.kind + " " + r.name);
  const statusEl = (s) => el("span", { class: "st st-" + s }, s);
  const sevEl = (s) => el("span", { class: "sev sev-" + s }, s);
  const markEl = (m) => (m ? el("span", { class: "mark mark-" + m, "data-mark": m }, m) : null);

  const state = { view: "summary", cloud: "", severity: "", status: "", account: "", text: "", limit: PAGE, sort: "principal" };

  function matches(f) {
    const r = resources[f.r] || {};
    const c = checks[f.c] || {};
    if (state.cloud && r.cloud !== state.cloud) return false;
    if (state.severity && c.severity !== state.severity) return false;
    if (state.status && f.s !== state.status) return false;
    if (state.account && r.account !== state.account) return false;
    if (state.text) {
      const t = state.text.toLowerCase();
      const hay = [f.c, c.title, f.m, r.name, r.id].join("\n").toLowerCase();
      if (!hay.includes(t)) return false;
    }
    return true;
  }
  const resourceMatches = (r) =>
    (!state.cloud || r.cloud === state.cloud) && (!state.account || r.account === state.account);

  function select(id, label, values, key) {
    const s = el("select", { id, onchange: (e) => { state[key] = e.target.value; state.limit = PAGE; render(); } },
      el("option", { value: "" }, "all"), values.map((v) => el("option", { value: v }, v)));
    s.value = state[key];
    return el("label", {}, label, s);
  }

  function filters() {
    const f = document.getElementById("filters");
    f.replaceChildren(
      select("filter-cloud", "Cloud", [...new Set(resources.map((r) => r.cloud))].sort(), "cloud"),
      select("filter-severity", "Severity", SEVERITIES, "severity"),
      select("filter-status", "Status", STATUSES, "status"),
      select("filter-account", "Account", [...new Set(resources.map((r) => r.account))].sort(), "account"),
      el("label", {}, "Search", el("input", { id: "filter-text", type: "search", value: state.text,
        oninput: (e) => { state.text = e.target.value; state.limit = PAGE; renderMain(); } })),
    );
  }

  const VIEWS = [
    ["summary", "Summary"], ["clusters", "Clusters"], ["checks", "Checks"], ["findings", "Findings"], ["admins", "Cluster admins"],
  ].concat(meta.compliance ? [["compliance", "Compliance"]] : []);

  function tabs() {
    document.getElementById("tabs").replaceChildren(...VIEWS.map(([id, label]) =>
      el("button", { "data-view": id, "aria-selected": String(state.view === id), onclick: () => { state.view = id; render(); } }, label)));
  }

  function counts(list) {
    const c = { fail: 0, unknown: 0, pass: 0, not_applicable: 0 };
    for (const f of list) c[f.s]++;
    return c;
  }

  // Status counts per key (resource index, check id).
  function countsBy(list, key) {
    const per = new Map();
    for (const f of list) {
      const c = per.get(key(f)) || counts([]);
      c[f.s]++;
      per.set(key(f), c);
    }
    return per;
  }

  function evidence(f) {
    const rows = f.e.map(([p, o]) => el("tr", {}, el("td", {}, p), el("td", {}, "= " + o)));
    const parts = [el("table", { class: "ev" }, rows)];
    if (f.sub.length) {
      parts.push(el("table", { class: "ev" }, f.sub.map((s) => el("tr", {},
        el("td", {}, statusEl(s.status)), el("td", {}, s.label), el("td", {}, s.reason)))));
    }
    const c = checks[f.c];
    if (c) parts.push(el("details", {}, el("summary", {}, "Explain " + f.c), el("pre", {}, c.explain)));
    parts.push(el("div", { class: "muted" }, "fingerprint " + f.fp));
    return parts;
  }

  function findingsTable(list) {
    const shown = list.slice(0, state.limit);
    const body = shown.map((f) => {
      const r = resources[f.r] || {};
      const c = checks[f.c] || {};
      return el("tr", { class: "finding", "data-status": f.s, "data-check": f.c },
        el("td", {}, sevEl(c.severity)),
        el("td", { class: "check" }, el("code", {}, f.c), " ", c.title),
        el("td", {}, statusEl(f.s), markEl(f.mk)),
        el("td", { class: "res", title: r.id }, resName(r)),
        el("td", { class: "msg" }, el("details", {}, el("summary", {}, f.m), evidence(f))));
    });
    const t = el("table", { id: "findings-table" },
      el("thead", {}, el("tr", {}, ["Severity", "Check", "Status", "Resource", "Finding (open for evidence)"].map((h) => el("th", {}, h)))),
      el("tbody", {}, body));
    const out = [el("p", { id: "shown-count" }, shown.length + " of " + list.length + " findings shown (" + findings.length + " in the report)"), t];
    if (list.length > shown.length) {
      out.push(el("button", { class: "more", onclick: () => { state.limit += PAGE; renderMain(); } }, "Show more"));
    }
    return out;
  }

  function viewSummary(list) {
    const c = counts(list);
    const cards = el("div", { class: "cards" }, STATUSES.map((s) =>
      el("div", { class: "card", "data-count-status": s }, el("b", { class: "st-" + s }, c[s]), s)));
    const bySev = SEVERITIES.map((s) => [s, list.filter((f) => f.s === "fail" && (checks[f.c] || {}).severity === s).length]);
    const out = [el("h2", {}, "Summary"), cards,
      el("p", {}, "Failing by severity: ", bySev.map(([s, n]) => el("span", {}, sevEl(s), " " + n + "  ")))];
    if (meta.not_collected.length) {
      out.push(el("h3", {}, "Not collected"), el("table", {}, el("tbody", {}, meta.not_collected.map((n) =>
        el("tr", {}, el("td", {}, n.cloud + " " + n.scope), el("td", {}, n.operation), el("td", {}, n.reason))))));
    }
    const top = list.filter((f) => f.s === "fail" || f.s === "unknown");
    out.push(el("h3", {}, "Failing and unknown"), findingsTable(top));
    return out;
  }

  function viewClusters(list) {
    const per = countsBy(list, (f) => f.r);
    const rows = resources.map((r, i) => [r, i]).filter(([r]) => resourceMatches(r)).map(([r, i]) => {
      const c = per.get(i) || counts([]);
      return el("tr", { class: "resource" },
        el("td", { title: r.id }, el("a", { href: "#", onclick: (e) => { e.preventDefault(); state.view = "findings"; state.text = r.id; render(); } }, resName(r))),
        el("td", {}, r.cloud), el("td", {}, r.account), el("td", {}, r.region),
        ...STATUSES.map((s) => el("td", { class: "num" }, c[s])));
    });
    return [el("h2", {}, "Clusters and scopes"), el("table", { id: "clusters-table" },
      el("thead", {}, el("tr", {}, ["Resource", "Cloud", "Account", "Region", "Fail", "Unknown", "Pass", "N/A"].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows))];
  }

  function viewChecks(list) {
    const per = countsBy(list, (f) => f.c);
    const ids = Object.keys(checks).filter((id) => !state.severity || checks[id].severity === state.severity);
    const rows = ids.map((id) => {
      const k = checks[id];
      const c = per.get(id) || counts([]);
      return el("tr", { class: "check" }, el("td", {}, el("code", {}, id)), el("td", {}, sevEl(k.severity)),
        el("td", {}, el("details", {}, el("summary", {}, k.title), el("pre", {}, k.explain))),
        ...STATUSES.map((s) => el("td", { class: "num" }, c[s])));
    });
    return [el("h2", {}, "Checks"), el("table", { id: "checks-table" },
      el("thead", {}, el("tr", {}, ["Check", "Severity", "Title (open for explain)", "Fail", "Unknown", "Pass", "N/A"].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows))];
  }

  function adminRows() {
    const rows = [];
    const incomplete = [];
    for (const f of findings) {
      if (f.c !== "IDN-012") continue;
      const r = resources[f.r] || {};
      if (!resourceMatches(r)) continue;
      if (f.s === "unknown") incomplete.push([r, f.m]);
      for (const s of f.sub) {
        const fact = (k) => ((s.facts.find(([key]) => key === k) || [])[1] || "");
        rows.push({ principal: s.label, id: s.id, type: fact("principal_type"), cloud: r.cloud, cluster: resName(r), how: fact("how"), terms: fact("terms"), status: s.status });
      }
    }
    return [rows, incomplete];
  }

  function viewAdmins() {
    let [rows, incomplete] = adminRows();
    if (state.text) {
      const t = state.text.toLowerCase();
      rows = rows.filter((a) => (a.principal + "\n" + a.id).toLowerCase().includes(t));
    }
    const key = state.sort;
    rows.sort((a, b) => String(a[key]).localeCompare(String(b[key])) || a.principal.localeCompare(b.principal) || a.cluster.localeCompare(b.cluster));
    const cols = [["principal", "Principal"], ["type", "Type"], ["cloud", "Cloud"], ["cluster", "Cluster"], ["how", "How"], ["terms", "Terms"]];
    const out = [el("h2", {}, "Who can act as cluster admin"),
      el("p", { id: "admins-count" }, new Set(rows.map((a) => a.id)).size + " principal(s), " + rows.length + " path(s). Use Search to filter by principal; click a header to sort."),
      el("table", { id: "admins-table" },
        el("thead", {}, el("tr", {}, cols.map(([k, h]) => el("th", { class: "sortable", onclick: () => { state.sort = k; renderMain(); } }, h + (state.sort === k ? " ▲" : ""))))),
        el("tbody", {}, rows.map((a) => el("tr", { class: "admin" },
          el("td", { title: a.id }, a.principal), el("td", {}, a.type), el("td", {}, a.cloud), el("td", {}, a.cluster),
          el("td", {}, a.how), el("td", {}, a.terms, a.status === "pass" ? null : el("span", { class: "st st-" + a.status }, " " + a.status))))))];
    for (const [r, m] of incomplete) out.push(el("p", { class: "st-unknown" }, "Inventory incomplete on " + resName(r) + ": " + m));
    return out;
  }

  function viewCompliance() {
    const v = meta.compliance;
    return [el("h2", {}, v.title), el("table", { id: "compliance-table" },
      el("thead", {}, el("tr", {}, ["Control", "Status", "Title", "Checks", "Fail", "Unknown", "Pass", "Failing resources"].map((h) => el("th", {}, h)))),
      el("tbody", {}, v.controls.filter((c) => !state.status || c.status === state.status).map((c) => el("tr", { class: "control", "data-status": c.status },
        el("td", {}, c.id), el("td", {}, statusEl(c.status)), el("td", {}, c.title), el("td", {}, c.checks.join(" ")),
        el("td", { class: "num" }, c.counts.fail), el("td", { class: "num" }, c.counts.unknown), el("td", { class: "num" }, c.counts.pass),
        el("td", {}, c.failing_resources.join(", "))))))];
  }

  function renderMain() {
    const list = findings.filter(matches);
    const views = { summary: viewSummary, clusters: viewClusters, checks: viewChecks, findings: (l) => [el("h2", {}, "Findings"), findingsTable(l)], admins: viewAdmins, compliance: viewCompliance };
    document.getElementById("app").replaceChildren(...(views[state.view] || viewSummary)(list).flat());
  }

  function render() {
    tabs();
    filters();
    renderMain();
  }

  const t = meta.totals;
  const clusters = resources.filter((r) => r.kind === "cluster").length;
  const reason = meta.exit_code === 2 ? "some scope could not be collected"
    : meta.exit_code === 1 ? meta.failing + " failing finding(s) at or above " + meta.fail_on : "nothing failing at or above " + meta.fail_on;
  document.getElementById("headline").textContent = clusters + " cluster(s): " + t.fail + " failing, " + t.unknown + " unknown, " + t.pass +
    " passing. Exit " + meta.exit_code + ": " + reason + "." + (meta.finished_at ? " Scanned " + meta.finished_at + "." : "") + " kubeposture " + meta.version;
  render();
  document.body.setAttribute("data-ready", "true");
})();
