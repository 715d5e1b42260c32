// Opens a kubeposture HTML report in headless Chromium (Debian's, driven by playwright-core) and
// checks the DOM: counts match the embedded data, filters change what is shown, nothing is
// fetched, no injected script runs. Saves a screenshot per view.
//
//   node browser.mjs REPORT.html SCREENSHOT_PREFIX [--hostile MARKER] [--marks]
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";

const [file, shotPrefix, ...flags] = process.argv.slice(2);
const hostile = flags.includes("--hostile");
const marker = hostile ? flags[flags.indexOf("--hostile") + 1] : undefined;
const marks = flags.includes("--marks");
const problems = [];
const check = (ok, what) => { if (!ok) problems.push(what); };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const url = pathToFileURL(file).href;
  const requests = [];
  const errors = [];
  let dialogs = 0;
  page.on("request", (r) => { if (r.url() !== url) requests.push(r.url()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("dialog", async (d) => { dialogs++; await d.dismiss(); });
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });

  const data = await page.evaluate(() => {
    const j = (id) => JSON.parse(document.getElementById(id).textContent);
    const findings = j("kp-findings");
    const resources = j("kp-resources");
    const checks = j("kp-checks");
    const by = (f) => findings.reduce((m, x) => { m[f(x)] = (m[f(x)] || 0) + 1; return m; }, {});
    return {
      total: findings.length, status: by((f) => f.s), cloud: by((f) => resources[f.r].cloud),
      severity: by((f) => checks[f.c].severity), account: by((f) => resources[f.r].account),
      marks: by((f) => f.mk || "none"), firstPageMarks: findings.slice(0, 500).filter((f) => f.mk).length,
      resources: resources.length,
      first: { evidence: findings[0].e, check: findings[0].c },
    };
  });
  check(data.total > 0, "the report embeds findings");

  // Summary: one card per status with the embedded counts.
  for (const s of ["fail", "unknown", "pass", "not_applicable"]) {
    const shown = await page.textContent(`[data-count-status="${s}"] b`);
    check(Number(shown) === (data.status[s] || 0), `summary card ${s}: ${shown} != ${data.status[s] || 0}`);
  }
  await page.screenshot({ path: `${shotPrefix}-summary.png`, fullPage: false });

  // Findings: every finding listed (first page), then the status filter narrows it.
  await page.click('nav button[data-view="findings"]');
  const rows = () => page.$$eval("#findings-table tbody tr.finding", (r) => r.map((x) => x.dataset.status));
  const all = await rows();
  check(all.length === Math.min(data.total, 500), `findings rows ${all.length} != ${Math.min(data.total, 500)}`);
  await page.selectOption("#filter-status", "fail");
  const failing = await rows();
  check(failing.length === Math.min(data.status.fail || 0, 500), `fail filter rows ${failing.length} != ${data.status.fail}`);
  check(failing.every((s) => s === "fail"), "the fail filter shows only failures");
  check(failing.length < all.length || all.length === (data.status.fail || 0), "the status filter changes what is shown");
  await page.selectOption("#filter-status", "");
  const clouds = Object.keys(data.cloud);
  if (clouds.length > 1) {
    await page.selectOption("#filter-cloud", clouds[0]);
    const n = (await rows()).length;
    check(n === Math.min(data.cloud[clouds[0]], 500), `cloud filter ${clouds[0]}: ${n} != ${data.cloud[clouds[0]]}`);
    await page.selectOption("#filter-cloud", "");
  }
  // Severity and account filters: exactly the embedded findings of that severity / account.
  for (const [id, by] of [["#filter-severity", data.severity], ["#filter-account", data.account]]) {
    const value = Object.keys(by).sort()[0];
    await page.selectOption(id, value);
    const n = (await rows()).length;
    check(n === Math.min(by[value], 500) && n < Math.min(data.total, 500), `${id} ${value}: ${n} != ${by[value]}`);
    await page.selectOption(id, "");
  }
  // Evidence opens under the first finding: one row per evidence item, `path` then `= observed`,
  // and the check's explain text.
  const details = await page.$("#findings-table tbody tr.finding details");
  check(details !== null, "findings open for evidence");
  if (details) {
    await details.evaluate((d) => { d.open = true; });
    const ev = await details.$$eval("table.ev:first-of-type tr", (r) => r.map((x) => [...x.cells].map((c) => c.textContent)));
    check(ev.length === data.first.evidence.length, `evidence rows ${ev.length} != ${data.first.evidence.length}`);
    data.first.evidence.forEach(([path, observed], i) =>
      check(ev[i] && ev[i][0] === path && ev[i][1] === "= " + observed, `evidence row ${i}: ${JSON.stringify(ev[i])}`));
    const explain = await details.$eval("details pre", (p) => p.textContent).catch(() => "");
    check(explain.includes("Rationale") && explain.includes("Remediation"), `explain text of ${data.first.check}`);
  }
  // History marks: a badge per marked finding shown, and both kinds present.
  if (marks) {
    const shownMarks = await page.$$eval("#findings-table tbody tr.finding [data-mark]", (m) => m.map((x) => x.dataset.mark));
    check(shownMarks.length === data.firstPageMarks, `mark badges ${shownMarks.length} != ${data.firstPageMarks}`);
    check(["new", "waived"].every((m) => (data.marks[m] || 0) > 0 && shownMarks.includes(m)), `marks shown: ${JSON.stringify(data.marks)}`);
  }
  await page.screenshot({ path: `${shotPrefix}-findings.png`, fullPage: false });

  // Other views render.
  for (const v of ["clusters", "checks", "admins"]) {
    await page.click(`nav button[data-view="${v}"]`);
    check((await page.$(`#${v}-table`)) !== null, `${v} view renders its table`);
  }
  const resourceRows = await page.$$eval("#clusters-table tbody tr", (r) => r.length).catch(() => -1);
  await page.click('nav button[data-view="clusters"]');
  check((await page.$$eval("#clusters-table tbody tr", (r) => r.length)) === data.resources, "one row per resource");
  await page.click('nav button[data-view="admins"]');
  await page.screenshot({ path: `${shotPrefix}-admins.png`, fullPage: false });
  void resourceRows;

  if (hostile) {
    await page.click('nav button[data-view="findings"]');
    const pwned = await page.evaluate(() => window.__pwned === undefined && document.querySelector("#pwned") === null);
    check(pwned, "an injected script or element ran");
    check(dialogs === 0, `${dialogs} dialog(s) opened`);
    const text = await page.textContent("#findings-table");
    check(text.includes(marker), `the hostile text is shown literally (${marker})`);
    check(!/[\u202a-\u202e\u2066-\u2069]/.test(await page.textContent("body")), "bidi controls are shown escaped");
    await page.screenshot({ path: `${shotPrefix}-hostile.png`, fullPage: false });
  }
  check(requests.length === 0, `the page made requests: ${requests.slice(0, 3).join(", ")}`);
  check(errors.length === 0, `script errors: ${errors.slice(0, 3).join(" | ")}`);
  console.log(JSON.stringify({ file, findings: data.total, status: data.status, problems }));
} finally {
  await browser.close();
}
process.exit(problems.length ? 1 : 0);
