// End-to-end: one report's whole review loop in Debian's headless Chromium.
//
// The reporter of 区发改局 writes and submits task 1's report, the unit head approves it,
// the office returns it with a comment (驳回重办), the reporter sees the comment and
// resubmits, the head approves again, the office accepts (采纳), and the round page
// counts it. Every step asserts the page text and saves a screenshot to artifacts/e2e/.
//
// Run with `node --test` in tests/e2e after `npm ci`; needs a built binary:
//   DUBAN_BIN   the duban binary (default: target/debug/duban of this repository)
//   CHROMIUM    the browser (default /usr/bin/chromium; never a downloaded one)
//   E2E_ARTIFACTS  where screenshots go (default <repo>/artifacts/e2e)

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, existsSync, readdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
// DUBAN_BIN relative to the working directory; the default relative to this file.
const DUBAN = process.env.DUBAN_BIN
  ? path.resolve(process.env.DUBAN_BIN)
  : path.resolve(here, '../../target/debug/duban');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SEED = path.join(repo, 'data/seed/000_5b3cae3e93885f9f.txt');
const ARTIFACTS = path.resolve(repo, process.env.E2E_ARTIFACTS ?? 'artifacts/e2e');
const PASSWORD = 'e2e-correct-horse-1';
/** How long one browser action may wait (a missing button fails fast, not after 30 s). */
const ACTION_TIMEOUT = 5_000;

const ACCOUNTS = {
  sup: { username: 'duchashi', role: 'supervisor', name: '区政府督查室' },
  lly: { username: 'fgj.lly', role: 'reporter', unit: '区发改局', name: '区发改局联络员' },
  fzr: { username: 'fgj.fzr', role: 'unit_head', unit: '区发改局', name: '区发改局负责人' },
};

const ROUND_LABEL = '1-10月';
const ROUND_TASKS = '1-3';
/** Reports the round asks for: task 1 has 1 lead unit, task 2 has 3, task 3 has 4; 5 units in all. */
const ROUND_REPORTS = 8;
const FIRST_TEXT = '**区发改局：**已将 GDP 增长 2.5% 等指标分解下达至各街道。\n逐月调度，开展督导。';
const RETURN_COMMENT = '请补充下达到各街道的具体指标数。';
const SECOND_TEXT =
  '**区发改局：**已将 GDP 增长 2.5% 等指标分解下达至各街道，其中开元街道 3.1%、海滨街道 2.8%。\n逐月调度，开展督导。';

let work; // temp dir: database, browser profile
let server; // { child, base, output }
let context; // persistent browser context (fresh profile)
let page;
let roundId;
let reportUrl;
const badResponses = [];
const pageErrors = [];
let failed = false;
let shot = 0;

// ---------------------------------------------------------------- helpers

function cliEnv() {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.DUBAN_BIND;
  return env;
}

/** Runs `duban ARGS` in the work dir; its stdout, or throws with its output. */
function duban(args, input) {
  const run = spawnSync(DUBAN, args, { cwd: work, env: cliEnv(), input, encoding: 'utf8', timeout: 30_000 });
  if (run.error) throw run.error;
  if (run.status !== 0) {
    throw new Error(`duban ${args.join(' ')} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  return run.stdout;
}

/** Starts `duban serve --bind 127.0.0.1:0` and waits for "督办已启动：http://ADDR/". */
function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(DUBAN, ['serve', '--bind', '127.0.0.1:0'], {
      cwd: work,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 15 s:\n${output}`)), 15_000);
    const onData = (chunk) => {
      output += chunk;
      const m = output.match(/督办已启动：(http:\/\/[^/\s]+)\//);
      if (m && !server) {
        clearTimeout(timer);
        server = { child, base: m[1], get output() { return output; } };
        resolve(server);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (c) => { output += c; });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code) => {
      if (!server) { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${output}`)); }
    });
  });
}

async function stopServer() {
  if (!server || server.child.exitCode !== null) return;
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGINT'); // graceful shutdown on Ctrl-C
  const t = setTimeout(() => server.child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(t);
}

/** The visible text of the page's <main>, whitespace collapsed. */
async function mainText() {
  return (await page.locator('main').innerText()).replace(/[ \t]+/g, ' ');
}

async function screenshot(name) {
  shot += 1;
  const file = path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Navigates and checks the answer was a success. */
async function go(pathname) {
  const response = await page.goto(server.base + pathname);
  assert.ok(response, `no response for ${pathname}`);
  assert.ok(response.ok(), `${pathname}: HTTP ${response.status()}`);
}

/** Clicks a button or link and waits for the page it leads to; returns that page's status. */
async function clickAndWait(locator) {
  // A missing button or link fails here, naming it, rather than as a navigation timeout.
  try {
    await locator.waitFor({ state: 'visible' });
  } catch {
    throw new Error(`not on ${new URL(page.url()).pathname}: ${locator}\n--- page text ---\n${await mainText()}`);
  }
  const [response] = await Promise.all([
    page.waitForNavigation({ timeout: ACTION_TIMEOUT }),
    locator.click(),
  ]);
  return response?.status();
}

async function login(who) {
  const account = ACCOUNTS[who];
  await go('/login');
  assert.equal(await page.locator('h1').innerText(), '登录');
  await page.getByLabel('用户名').fill(account.username);
  await page.getByLabel('密码').fill(PASSWORD);
  const status = await clickAndWait(page.getByRole('button', { name: '登录', exact: true }));
  assert.equal(status, 200, `login as ${account.username}`);
  // The header names the user, their role and unit.
  const who_ = await page.locator('header .who').innerText();
  assert.ok(who_.includes(account.name), `header shows ${account.name}: ${who_}`);
  assert.ok(who_.includes('退出'), who_);
}

async function logout() {
  await clickAndWait(page.getByRole('button', { name: '退出' }));
  assert.match(new URL(page.url()).pathname, /^\/login$/);
  assert.equal(await page.locator('h1').innerText(), '登录');
  const cookies = await context.cookies(server.base);
  assert.ok(!cookies.some((c) => c.name === 'duban_session'), 'the session cookie is gone');
}

/** Table rows that link to a report (a state badge). */
function reportRows() {
  return page.getByRole('row').filter({ has: page.locator('a.state') });
}

/**
 * The report row whose row header (序号) is `number`: of `unit` where the table names
 * units (round page, office queue); a unit's own pages may leave the unit implied.
 */
async function taskRow(number, unit) {
  const rows = reportRows().filter({ has: page.getByRole('rowheader', { name: String(number), exact: true }) });
  return (await rows.count()) > 1 ? rows.filter({ hasText: unit }) : rows;
}

/** The report page's state label (状态：…). */
async function reportState() {
  return (await page.locator('p.meta .state').innerText()).trim();
}

/** The 办理记录 list, one string per event. */
async function history() {
  return page.locator('ol.history li').allInnerTexts();
}

/** Opens the reporter's/head's/office's queue page and the report on task 1 in it. */
async function openFromQueue(navLink, heading, expectedState) {
  await clickAndWait(page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: navLink, exact: true }));
  assert.ok((await page.locator('h1').innerText()).startsWith(heading), await page.locator('h1').innerText());
  const row = await taskRow(1, '区发改局');
  assert.equal(await row.count(), 1, `task 1 of 区发改局 is listed on ${heading}:\n${await mainText()}`);
  const link = row.getByRole('link');
  assert.equal((await link.innerText()).trim(), expectedState);
  await clickAndWait(link);
  reportUrl ??= new URL(page.url()).pathname;
  assert.equal(new URL(page.url()).pathname, reportUrl);
  assert.equal(await page.locator('h1').innerText(), `区发改局 · 第 1 项 · ${ROUND_LABEL}`);
  assert.equal(await reportState(), expectedState);
}

/** Runs a step unless an earlier one failed (then it is skipped, not failed again). */
function step(name, fn) {
  it(name, { timeout: 30_000 }, async (t) => {
    if (failed) {
      t.skip('an earlier step failed');
      return;
    }
    try {
      await fn();
    } catch (e) {
      failed = true;
      if (page) {
        const file = await screenshot('FAILED').catch(() => null);
        if (file) e.message += `\n(screenshot: ${file})`;
      }
      throw e;
    }
  });
}

// ---------------------------------------------------------------- the test

describe('报送、审核、驳回重办、采纳：浏览器端到端', { timeout: 120_000 }, () => {
  before(async () => {
    assert.ok(existsSync(DUBAN), `no duban binary at ${DUBAN}: run cargo build first, or set DUBAN_BIN`);
    assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: apt-get install chromium`);
    work = mkdtempSync(path.join(tmpdir(), 'duban-e2e-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const f of readdirSync(ARTIFACTS)) if (f.endsWith('.png')) unlinkSync(path.join(ARTIFACTS, f));

    duban(['import', SEED]);
    for (const a of Object.values(ACCOUNTS)) {
      const args = ['user', 'add', a.username, '--role', a.role, '--name', a.name, '--password-stdin'];
      if (a.unit) args.push('--unit', a.unit);
      duban(args, `${PASSWORD}\n`);
    }
    await startServer();

    const profile = mkdtempSync(path.join(work, 'chromium-'));
    // launchPersistentContext passes the fresh profile as --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      chromiumSandbox: false,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--lang=zh-CN',
      ],
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    context.setDefaultTimeout(ACTION_TIMEOUT);
    context.setDefaultNavigationTimeout(ACTION_TIMEOUT);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('response', (r) => {
      // 422 is how a refused step answers (the page shows why); anything else is a fault.
      if (r.status() >= 400 && r.status() !== 422) badResponses.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  });

  after(async () => {
    await context?.close().catch(() => {});
    const output = server?.output ?? '';
    await stopServer();
    if (failed && output) console.error(`--- duban serve output ---\n${output}`);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  step('督查室在“填报轮次”页开启一轮填报', async () => {
    await login('sup');
    assert.equal(new URL(page.url()).pathname, '/tasks');
    let text = await mainText();
    assert.match(text, /共 35 项/, 'the seed has 35 tasks');
    await clickAndWait(page.getByRole('link', { name: '填报轮次', exact: true }));
    // The seed is a round of its own: its progress, closed.
    assert.match(await mainText(), /截至2020年10月15日/);
    const form = page.locator('form', { has: page.getByRole('button', { name: '开启' }) });
    assert.match(await form.getByLabel('文件').locator('option:checked').innerText(), /泉鲤政办〔2020〕48号/);
    await form.getByLabel('填报期间').fill(ROUND_LABEL);
    const due = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    await form.getByLabel('截止日期').fill(due);
    await form.getByLabel(/包含任务/).fill(ROUND_TASKS);
    await screenshot('sup-open-round-form');
    assert.equal(await clickAndWait(form.getByRole('button', { name: '开启' })), 200);
    roundId = new URL(page.url()).pathname.match(/^\/rounds\/(\d+)$/)?.[1];
    assert.ok(roundId, `redirected to the round page: ${page.url()}`);
    assert.equal(await page.locator('h1').innerText(), `${ROUND_LABEL} 填报情况`);
    text = await mainText();
    assert.match(text, new RegExp(`应报 ${ROUND_REPORTS} 份，已报送 0 份，已采纳 0 份 · 进行中`));
    assert.match(text, /未报送单位（5）/);
    assert.equal(await reportRows().count(), ROUND_REPORTS);
    await screenshot('sup-round-opened');
    await logout();
  });

  step('联络员在“本单位任务”里打开第 1 项，填写并提交单位审核', async () => {
    await login('lly');
    assert.equal(new URL(page.url()).pathname, '/my');
    const nav = await page.getByRole('navigation', { name: '主导航' }).innerText();
    assert.ok(nav.includes('本单位任务') && !nav.includes('填报轮次'), `reporter's menu: ${nav}`);
    await clickAndWait(page.getByRole('link', { name: '本单位任务', exact: true }));
    const h1 = await page.locator('h1').innerText();
    assert.ok(h1.startsWith('本单位任务') && h1.includes('区发改局'), h1);
    const text = await mainText();
    // 区发改局 leads tasks 1, 2 and 3 of this round, nothing of other units.
    assert.deepEqual(await reportRows().getByRole('rowheader').allInnerTexts(), ['1', '2', '3'], text);
    assert.deepEqual(await reportRows().locator('a.state').allInnerTexts(), ['未填报', '未填报', '未填报']);
    assert.ok(!text.includes('区财政局'), 'another unit is not listed');
    await screenshot('reporter-my-tasks');

    await openFromQueue('本单位任务', '本单位任务', '未填报');
    assert.match(await mainText(), /尚未填写|落实情况/);
    assert.deepEqual(await history(), ['暂无记录。']);
    const editor = page.getByRole('textbox', { name: /填报内容/ });
    await editor.fill(FIRST_TEXT);
    await page.getByLabel(/完成进度/).fill('60');
    await screenshot('reporter-editor-filled');
    assert.equal(await clickAndWait(page.getByRole('button', { name: '提交单位审核' })), 200);
    assert.equal(await reportState(), '待单位审核');
    assert.match(await page.locator('p.meta').first().innerText(), /完成进度 60%/);
    // Submitted: the reporter reads the text but cannot edit it any more.
    assert.equal(await page.locator('textarea[name=text]').count(), 0, 'no editor after submitting');
    const card = page.locator('section.card', { has: page.getByRole('heading', { name: '落实情况' }) });
    assert.equal(await card.locator('strong').first().innerText(), '区发改局：', 'bold survives');
    assert.match(await card.innerText(), /逐月调度，开展督导。/);
    const events = await history();
    assert.equal(events.length, 1, events.join('\n'));
    assert.match(events[0], /区发改局联络员（联络员）提交：未填报 → 待单位审核/);
    await screenshot('reporter-submitted');
    await logout();
  });

  step('单位负责人在“待审核”中审核通过', async () => {
    await login('fzr');
    await openFromQueue('待审核', '待审核', '待单位审核');
    const review = page.locator('section.card', { has: page.getByRole('heading', { name: '审核' }) });
    const buttons = await review.getByRole('button').allInnerTexts();
    assert.deepEqual(buttons, ['审核通过', '退回修改']);
    assert.equal(await page.locator('textarea[name=text]').count(), 0, 'the head does not edit the text');
    await screenshot('head-review');
    assert.equal(await clickAndWait(review.getByRole('button', { name: '审核通过' })), 200);
    assert.equal(await reportState(), '待督查室审核');
    assert.equal(await page.locator('section.card h2', { hasText: '审核' }).count(), 0, 'nothing left for the head');
    assert.match((await history()).at(-1), /区发改局负责人（单位负责人）审核通过：待单位审核 → 待督查室审核/);
    await screenshot('head-approved');
    await logout();
  });

  step('督查室驳回重办：不写意见被拒，写明意见后退回', async () => {
    await login('sup');
    await openFromQueue('待审核', '待审核', '待督查室审核');
    const review = page.locator('section.card', { has: page.getByRole('heading', { name: '审核' }) });
    assert.deepEqual(await review.getByRole('button').allInnerTexts(), ['采纳', '驳回重办']);
    // Without a comment the step is refused, with the reason on the page.
    assert.equal(await clickAndWait(review.getByRole('button', { name: '驳回重办' })), 422);
    assert.match(await page.getByRole('alert').innerText(), /须填写理由/);
    assert.equal(await reportState(), '待督查室审核');
    await screenshot('sup-return-needs-comment');
    await review.getByLabel(/意见/).fill(RETURN_COMMENT);
    assert.equal(await clickAndWait(review.getByRole('button', { name: '驳回重办' })), 200);
    assert.equal(await reportState(), '已退回');
    assert.match((await history()).at(-1), new RegExp(`区政府督查室（督查室）驳回重办：待督查室审核 → 已退回。意见：${RETURN_COMMENT}`));
    await screenshot('sup-returned');
    await logout();
  });

  step('联络员看到“已退回”和意见，修改后重新提交', async () => {
    await login('lly');
    await openFromQueue('本单位任务', '本单位任务', '已退回');
    const events = await history();
    assert.equal(events.length, 3, events.join('\n'));
    assert.ok(events[2].includes(`意见：${RETURN_COMMENT}`), events[2]);
    // The editor is back, holding the text as submitted (bold as **…**).
    const editor = page.getByRole('textbox', { name: /填报内容/ });
    assert.equal(await editor.inputValue(), FIRST_TEXT);
    await screenshot('reporter-sees-return');
    await editor.fill(SECOND_TEXT);
    assert.equal(await clickAndWait(page.getByRole('button', { name: '提交单位审核' })), 200);
    assert.equal(await reportState(), '待单位审核');
    assert.match(await mainText(), /开元街道 3\.1%/);
    assert.match((await history()).at(-1), /提交：已退回 → 待单位审核/);
    await screenshot('reporter-resubmitted');
    await logout();
  });

  step('单位负责人再次审核通过', async () => {
    await login('fzr');
    await openFromQueue('待审核', '待审核', '待单位审核');
    await clickAndWait(page.getByRole('button', { name: '审核通过' }));
    assert.equal(await reportState(), '待督查室审核');
    await logout();
  });

  step('督查室采纳', async () => {
    await login('sup');
    await openFromQueue('待审核', '待审核', '待督查室审核');
    assert.match(await mainText(), /开元街道 3\.1%/);
    await clickAndWait(page.getByRole('button', { name: '采纳', exact: true }));
    assert.equal(await reportState(), '已采纳');
    const actions = (await history()).map((e) => e.match(/）(\S+?)：/)?.[1]);
    assert.deepEqual(actions, ['提交', '审核通过', '驳回重办', '提交', '审核通过', '采纳']);
    await screenshot('sup-accepted');
    // The office's queue is empty again.
    await clickAndWait(page.getByRole('link', { name: '待审核', exact: true }));
    assert.match(await mainText(), /没有待审核的填报。/);
  });

  step('轮次页：第 1 项已采纳，计数正确', async () => {
    await go('/rounds');
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: ROUND_LABEL }) });
    const cells = await row.locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(2, 5), [`1 / ${ROUND_REPORTS}`, '1', '进行中'], cells.join(' | '));
    await clickAndWait(row.getByRole('link', { name: ROUND_LABEL }));
    assert.equal(new URL(page.url()).pathname, `/rounds/${roundId}`);
    const text = await mainText();
    assert.match(text, new RegExp(`应报 ${ROUND_REPORTS} 份，已报送 1 份，已采纳 1 份 · 进行中`));
    const first = await taskRow(1, '区发改局');
    assert.equal((await first.getByRole('link').innerText()).trim(), '已采纳');
    assert.match(await first.locator('td').last().innerText(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'submitted at');
    // Everyone else still owes a report; 区发改局 only for tasks 2 and 3.
    const owed = await page.locator('section.card.warn').innerText();
    assert.match(owed, /未报送单位（5）/);
    assert.match(owed, /区发改局（第 2、3 项）/);
    assert.match(owed, /区财政局（第 2 项）/);
    const states = await page.locator('tbody td a.state').allInnerTexts();
    assert.equal(states.filter((s) => s === '已采纳').length, 1);
    assert.equal(states.filter((s) => s === '未填报').length, ROUND_REPORTS - 1);
    // The page and its API twin agree.
    const api = await (await page.request.get(`${server.base}/api/rounds/${roundId}`)).json();
    assert.deepEqual(
      [api.round.reports, api.round.reported, api.round.accepted],
      [ROUND_REPORTS, 1, 1],
    );
    await screenshot('sup-round-page');
    await logout();
  });

  step('页面无报错，样式表已加载', async () => {
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(badResponses, []);
    await go('/login');
    const color = await page.locator('header.top').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(color, 'rgb(200, 22, 29)', 'style.css applied (red header)');
  });
});
