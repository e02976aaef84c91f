// End-to-end: one report's whole review loop in Debian's headless Chromium.
//
// The reporter of 区发改局 writes and submits task 1's report, the unit head approves it,
// the office returns it with a comment (驳回重办), the reporter sees the comment and
// resubmits, the head approves again, the office accepts (采纳), and the round page
// counts it. Every step asserts the page text and saves a screenshot to
// artifacts/e2e/review-*.png.
//
// Run with `node --test` in tests/e2e after `npm ci`; needs a built binary (see
// harness.mjs for DUBAN_BIN, CHROMIUM and E2E_ARTIFACTS).

import { describe } from 'node:test';
import assert from 'node:assert/strict';

import { harness } from './harness.mjs';

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

let roundId;
let reportUrl;
let h; // the harness: page, steps, login …

/** Table rows that link to a report (a state badge). */
function reportRows() {
  return h.page.getByRole('row').filter({ has: h.page.locator('a.state') });
}

/**
 * The report row whose row header (序号) is `number`: of `unit` where the table names
 * units (round page, office queue); a unit's own pages may leave the unit implied.
 */
async function taskRow(number, unit) {
  const rows = reportRows().filter({ has: h.page.getByRole('rowheader', { name: String(number), exact: true }) });
  return (await rows.count()) > 1 ? rows.filter({ hasText: unit }) : rows;
}

/** The report page's state label (状态：…). */
async function reportState() {
  return (await h.page.locator('p.meta .state').innerText()).trim();
}

/** The 办理记录 list, one string per event. */
async function history() {
  return h.page.locator('ol.history li').allInnerTexts();
}

/** Opens the reporter's/head's/office's queue page and the report on task 1 in it. */
async function openFromQueue(navLink, heading, expectedState) {
  await h.clickAndWait(h.page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: navLink, exact: true }));
  assert.ok((await h.page.locator('h1').innerText()).startsWith(heading), await h.page.locator('h1').innerText());
  const row = await taskRow(1, '区发改局');
  assert.equal(await row.count(), 1, `task 1 of 区发改局 is listed on ${heading}:\n${await h.mainText()}`);
  const link = row.getByRole('link');
  assert.equal((await link.innerText()).trim(), expectedState);
  await h.clickAndWait(link);
  reportUrl ??= new URL(h.page.url()).pathname;
  assert.equal(new URL(h.page.url()).pathname, reportUrl);
  assert.equal(await h.page.locator('h1').innerText(), `区发改局 · 第 1 项 · ${ROUND_LABEL}`);
  assert.equal(await reportState(), expectedState);
}

// ---------------------------------------------------------------- the test

describe('报送、审核、驳回重办、采纳：浏览器端到端', { timeout: 120_000 }, () => {
  h = harness({ accounts: ACCOUNTS, prefix: 'review' });

  h.step('督查室在“填报轮次”页开启一轮填报', async () => {
    await h.login('sup');
    assert.equal(new URL(h.page.url()).pathname, '/tasks');
    let text = await h.mainText();
    assert.match(text, /共 35 项/, 'the seed has 35 tasks');
    await h.clickAndWait(h.page.getByRole('link', { name: '填报轮次', exact: true }));
    // The seed is a round of its own: its progress, closed.
    assert.match(await h.mainText(), /截至2020年10月15日/);
    const form = h.page.locator('form', { has: h.page.getByRole('button', { name: '开启' }) });
    assert.match(await form.getByLabel('文件').locator('option:checked').innerText(), /泉鲤政办〔2020〕48号/);
    await form.getByLabel('填报期间').fill(ROUND_LABEL);
    const due = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    await form.getByLabel('截止日期').fill(due);
    await form.getByLabel(/包含任务/).fill(ROUND_TASKS);
    await h.screenshot('sup-open-round-form');
    assert.equal(await h.clickAndWait(form.getByRole('button', { name: '开启' })), 200);
    roundId = new URL(h.page.url()).pathname.match(/^\/rounds\/(\d+)$/)?.[1];
    assert.ok(roundId, `redirected to the round page: ${h.page.url()}`);
    assert.equal(await h.page.locator('h1').innerText(), `${ROUND_LABEL} 填报情况`);
    text = await h.mainText();
    assert.match(text, new RegExp(`应报 ${ROUND_REPORTS} 份，已报送 0 份，已采纳 0 份 · 进行中`));
    assert.match(text, /未报送单位（5）/);
    assert.equal(await reportRows().count(), ROUND_REPORTS);
    await h.screenshot('sup-round-opened');
    await h.logout();
  });

  h.step('联络员在“本单位任务”里打开第 1 项，填写并提交单位审核', async () => {
    await h.login('lly');
    assert.equal(new URL(h.page.url()).pathname, '/my');
    const nav = await h.page.getByRole('navigation', { name: '主导航' }).innerText();
    assert.ok(nav.includes('本单位任务') && !nav.includes('填报轮次'), `reporter's menu: ${nav}`);
    await h.clickAndWait(h.page.getByRole('link', { name: '本单位任务', exact: true }));
    const h1 = await h.page.locator('h1').innerText();
    assert.ok(h1.startsWith('本单位任务') && h1.includes('区发改局'), h1);
    const text = await h.mainText();
    // 区发改局 leads tasks 1, 2 and 3 of this round, nothing of other units.
    assert.deepEqual(await reportRows().getByRole('rowheader').allInnerTexts(), ['1', '2', '3'], text);
    assert.deepEqual(await reportRows().locator('a.state').allInnerTexts(), ['未填报', '未填报', '未填报']);
    assert.ok(!text.includes('区财政局'), 'another unit is not listed');
    await h.screenshot('reporter-my-tasks');

    await openFromQueue('本单位任务', '本单位任务', '未填报');
    assert.match(await h.mainText(), /尚未填写|落实情况/);
    assert.deepEqual(await history(), []);
    assert.match(await h.mainText(), /暂无办理记录。/);
    const editor = h.page.getByRole('textbox', { name: /填报内容/ });
    await editor.fill(FIRST_TEXT);
    await h.page.getByLabel(/完成进度/).fill('60');
    await h.screenshot('reporter-editor-filled');
    assert.equal(await h.clickAndWait(h.page.getByRole('button', { name: '提交单位审核' })), 200);
    assert.equal(await reportState(), '待单位审核');
    assert.match(await h.page.locator('p.meta').first().innerText(), /完成进度 60%/);
    // Submitted: the reporter reads the text but cannot edit it any more.
    assert.equal(await h.page.locator('textarea[name=text]').count(), 0, 'no editor after submitting');
    const card = h.page.locator('section.card', { has: h.page.getByRole('heading', { name: '落实情况' }) });
    assert.equal(await card.locator('strong').first().innerText(), '区发改局：', 'bold survives');
    assert.match(await card.innerText(), /逐月调度，开展督导。/);
    const events = await history();
    assert.equal(events.length, 1, events.join('\n'));
    assert.match(events[0], /区发改局联络员（联络员）提交：未填报 → 待单位审核/);
    await h.screenshot('reporter-submitted');
    await h.logout();
  });

  h.step('单位负责人在“待审核”中审核通过', async () => {
    await h.login('fzr');
    await openFromQueue('待审核', '待审核', '待单位审核');
    const review = h.page.locator('section.card', { has: h.page.getByRole('heading', { name: '审核' }) });
    const buttons = await review.getByRole('button').allInnerTexts();
    assert.deepEqual(buttons, ['审核通过', '退回修改']);
    assert.equal(await h.page.locator('textarea[name=text]').count(), 0, 'the head does not edit the text');
    await h.screenshot('head-review');
    assert.equal(await h.clickAndWait(review.getByRole('button', { name: '审核通过' })), 200);
    assert.equal(await reportState(), '待督查室审核');
    assert.equal(await h.page.locator('section.card h2', { hasText: '审核' }).count(), 0, 'nothing left for the head');
    assert.match((await history()).at(-1), /区发改局负责人（单位负责人）审核通过：待单位审核 → 待督查室审核/);
    await h.screenshot('head-approved');
    await h.logout();
  });

  h.step('督查室驳回重办：不写意见被拒，写明意见后退回', async () => {
    await h.login('sup');
    await openFromQueue('待审核', '待审核', '待督查室审核');
    const review = h.page.locator('section.card', { has: h.page.getByRole('heading', { name: '审核' }) });
    assert.deepEqual(await review.getByRole('button').allInnerTexts(), ['采纳', '驳回重办']);
    // Without a comment the step is refused, with the reason on the h.page.
    assert.equal(await h.clickAndWait(review.getByRole('button', { name: '驳回重办' })), 422);
    assert.match(await h.page.getByRole('alert').innerText(), /须填写理由/);
    assert.equal(await reportState(), '待督查室审核');
    await h.screenshot('sup-return-needs-comment');
    await review.getByLabel(/意见/).fill(RETURN_COMMENT);
    assert.equal(await h.clickAndWait(review.getByRole('button', { name: '驳回重办' })), 200);
    assert.equal(await reportState(), '已退回');
    assert.match((await history()).at(-1), new RegExp(`区政府督查室（督查室）驳回重办：待督查室审核 → 已退回。意见：${RETURN_COMMENT}`));
    await h.screenshot('sup-returned');
    await h.logout();
  });

  h.step('联络员看到“已退回”和意见，修改后重新提交', async () => {
    await h.login('lly');
    await openFromQueue('本单位任务', '本单位任务', '已退回');
    const events = await history();
    assert.equal(events.length, 3, events.join('\n'));
    assert.ok(events[2].includes(`意见：${RETURN_COMMENT}`), events[2]);
    // The editor is back, holding the text as submitted (bold as **…**).
    const editor = h.page.getByRole('textbox', { name: /填报内容/ });
    assert.equal(await editor.inputValue(), FIRST_TEXT);
    await h.screenshot('reporter-sees-return');
    await editor.fill(SECOND_TEXT);
    assert.equal(await h.clickAndWait(h.page.getByRole('button', { name: '提交单位审核' })), 200);
    assert.equal(await reportState(), '待单位审核');
    assert.match(await h.mainText(), /开元街道 3\.1%/);
    assert.match((await history()).at(-1), /提交：已退回 → 待单位审核/);
    await h.screenshot('reporter-resubmitted');
    await h.logout();
  });

  h.step('单位负责人再次审核通过', async () => {
    await h.login('fzr');
    await openFromQueue('待审核', '待审核', '待单位审核');
    await h.clickAndWait(h.page.getByRole('button', { name: '审核通过' }));
    assert.equal(await reportState(), '待督查室审核');
    await h.logout();
  });

  h.step('督查室采纳', async () => {
    await h.login('sup');
    await openFromQueue('待审核', '待审核', '待督查室审核');
    assert.match(await h.mainText(), /开元街道 3\.1%/);
    await h.clickAndWait(h.page.getByRole('button', { name: '采纳', exact: true }));
    assert.equal(await reportState(), '已采纳');
    const actions = (await history()).map((e) => e.match(/）(\S+?)：/)?.[1]);
    assert.deepEqual(actions, ['提交', '审核通过', '驳回重办', '提交', '审核通过', '采纳']);
    await h.screenshot('sup-accepted');
    // The office's queue is empty again.
    await h.clickAndWait(h.page.getByRole('link', { name: '待审核', exact: true }));
    assert.match(await h.mainText(), /没有待审核的填报。/);
  });

  h.step('轮次页：第 1 项已采纳，计数正确', async () => {
    await h.go('/rounds');
    const row = h.page.getByRole('row').filter({ has: h.page.getByRole('link', { name: ROUND_LABEL }) });
    const cells = await row.locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(2, 5), [`1 / ${ROUND_REPORTS}`, '1', '进行中'], cells.join(' | '));
    await h.clickAndWait(row.getByRole('link', { name: ROUND_LABEL }));
    assert.equal(new URL(h.page.url()).pathname, `/rounds/${roundId}`);
    const text = await h.mainText();
    assert.match(text, new RegExp(`应报 ${ROUND_REPORTS} 份，已报送 1 份，已采纳 1 份 · 进行中`));
    const first = await taskRow(1, '区发改局');
    assert.equal((await first.getByRole('link').innerText()).trim(), '已采纳');
    assert.match(await first.locator('td').last().innerText(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'submitted at');
    // Everyone else still owes a report; 区发改局 only for tasks 2 and 3.
    const owed = await h.page.locator('section.card.warn').innerText();
    assert.match(owed, /未报送单位（5）/);
    assert.match(owed, /区发改局（第 2、3 项）/);
    assert.match(owed, /区财政局（第 2 项）/);
    const states = await h.page.locator('tbody td a.state').allInnerTexts();
    assert.equal(states.filter((s) => s === '已采纳').length, 1);
    assert.equal(states.filter((s) => s === '未填报').length, ROUND_REPORTS - 1);
    // The page and its API twin agree.
    const api = await (await h.page.request.get(`${h.server.base}/api/rounds/${roundId}`)).json();
    assert.deepEqual(
      [api.round.reports, api.round.reported, api.round.accepted],
      [ROUND_REPORTS, 1, 1],
    );
    await h.screenshot('sup-round-page');
    await h.logout();
  });

  h.step('页面无报错，样式表已加载', async () => {
    assert.deepEqual(h.pageErrors, []);
    assert.deepEqual(h.badResponses, []);
    await h.go('/login');
    const color = await h.page.locator('header.top').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(color, 'rgb(200, 22, 29)', 'style.css applied (red header)');
  });
});
