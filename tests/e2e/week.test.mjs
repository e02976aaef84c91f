// End-to-end: the clicks of a week in Debian's headless Chromium — the login that
// returns to the page asked for, 交办 and 全部签收, a round whose reports the unit head
// approves and the office accepts in one batch each, and the round read on one page
// (filtered by unit) and exported to Excel. Screenshots go to artifacts/e2e/week-*.png.
//
// Run with `node --test` in tests/e2e after `npm ci`; needs a built binary (see
// harness.mjs for DUBAN_BIN, CHROMIUM and E2E_ARTIFACTS).

import { describe } from 'node:test';
import assert from 'node:assert/strict';

import { harness, PASSWORD } from './harness.mjs';

const ACCOUNTS = {
  sup: { username: 'duchashi', role: 'supervisor', name: '区政府督查室' },
  lly: { username: 'fgj.lly', role: 'reporter', unit: '区发改局', name: '区发改局联络员' },
  fzr: { username: 'fgj.fzr', role: 'unit_head', unit: '区发改局', name: '区发改局负责人' },
};

/** 区发改局 leads tasks 1, 2 and 3 of the seed. */
const TASKS = ['1', '2', '3'];
const TEXT = (n) => `第${n}项：已分解下达，逐月调度。`;

let h;
let roundId;

function inDays(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** The rows of the page's report table that carry a state badge. */
function reportRows() {
  return h.page.getByRole('row').filter({ has: h.page.locator('a.state') });
}

describe('一周的常用操作：登录回跳、全部签收、批量审核与采纳、一页读完一轮', { timeout: 180_000 }, () => {
  h = harness({ accounts: ACCOUNTS, prefix: 'week' });

  h.step('未登录打开“填报轮次”，登录后回到该页', async () => {
    const response = await h.page.goto(`${h.server.base}/rounds`);
    assert.ok(response?.ok());
    const url = new URL(h.page.url());
    assert.equal(url.pathname, '/login');
    assert.equal(url.searchParams.get('next'), '/rounds');
    await h.page.getByLabel('用户名').fill(ACCOUNTS.sup.username);
    await h.page.getByLabel('密码').fill(PASSWORD);
    await h.clickAndWait(h.page.getByRole('button', { name: '登录', exact: true }));
    assert.equal(new URL(h.page.url()).pathname, '/rounds');
    await h.screenshot('login-returns');
  });

  h.step('督查室交办 48 号文，并开启第 1-3 项的一轮填报', async () => {
    const assign = h.page.locator('form', { has: h.page.getByRole('button', { name: '交办' }) });
    await assign.getByLabel('签收期限').fill(inDays(7));
    assert.equal(await h.clickAndWait(assign.getByRole('button', { name: '交办' })), 200);
    await h.go('/rounds');
    const open = h.page.locator('form', { has: h.page.getByRole('button', { name: '开启' }) });
    await open.getByLabel('填报期间').fill('1-11月');
    await open.getByLabel('截止日期').fill(inDays(14));
    await open.getByLabel(/包含任务/).fill('1-3');
    assert.equal(await h.clickAndWait(open.getByRole('button', { name: '开启' })), 200);
    roundId = new URL(h.page.url()).pathname.match(/^\/rounds\/(\d+)$/)?.[1];
    assert.ok(roundId, h.page.url());
    await h.logout();
  });

  h.step('联络员一次签收本单位全部任务', async () => {
    await h.login('lly');
    await h.go('/my');
    const button = h.page.getByRole('button', { name: /^全部签收（\d+ 项）$/ });
    const count = Number((await button.innerText()).match(/（(\d+) 项）/)[1]);
    assert.ok(count >= 3, `区发改局 has its tasks to acknowledge: ${count}`);
    await h.screenshot('acknowledge-all-before');
    assert.equal(await h.clickAndWait(button), 200);
    const text = await h.mainText();
    assert.ok(!text.includes('全部签收'), text);
    assert.equal(await h.page.getByRole('button', { name: '签收', exact: true }).count(), 0, text);
    await h.screenshot('acknowledge-all-after');

    // The three reports, submitted through the API as the editor would.
    const mine = await (await h.page.request.get(`${h.server.base}/api/reports/mine`)).json();
    for (const r of mine.filter((r) => String(r.round) === roundId)) {
      const answer = await h.page.request.post(`${h.server.base}/api/reports/${r.id}/actions`, {
        data: { action: 'submit', text: TEXT(r.task), percent: '80' },
      });
      assert.ok(answer.ok(), await answer.text());
    }
    await h.logout();
  });

  h.step('单位负责人在“待审核”里一次审核通过三份', async () => {
    await h.login('fzr');
    await h.go('/review');
    assert.deepEqual(await reportRows().getByRole('rowheader').allInnerTexts(), TASKS);
    await h.screenshot('head-batch-before');
    assert.equal(await h.clickAndWait(h.page.getByRole('button', { name: /（已勾选）$/ })), 200);
    assert.match(await h.mainText(), /3 份/);
    assert.equal(await reportRows().count(), 0, await h.mainText());
    await h.screenshot('head-batch-after');
    await h.logout();
  });

  h.step('督查室在“待审核”里一次采纳三份', async () => {
    await h.login('sup');
    await h.go('/review');
    assert.deepEqual(await reportRows().getByRole('rowheader').allInnerTexts(), TASKS);
    assert.equal(await h.clickAndWait(h.page.getByRole('button', { name: /（已勾选）$/ })), 200);
    assert.equal(await reportRows().count(), 0, await h.mainText());
    await h.screenshot('office-batch-after');
  });

  h.step('督查室在轮次页一页读完各单位填报，按单位筛选并导出 Excel', async () => {
    await h.go(`/rounds/${roundId}`);
    await h.page.locator('select[name=unit]').selectOption('区发改局');
    assert.equal(await h.clickAndWait(h.page.getByRole('button', { name: '筛选' })), 200);
    const rows = h.page.locator('table.round-table tbody tr');
    assert.equal(await rows.count(), 3);
    for (const n of TASKS) {
      const row = rows.filter({ has: h.page.getByRole('rowheader', { name: n, exact: true }) });
      assert.match(await row.innerText(), new RegExp(`${TEXT(n)}[\\s\\S]*已采纳|已采纳[\\s\\S]*${TEXT(n)}`));
    }
    await h.screenshot('round-one-page');
    const [download] = await Promise.all([
      h.page.waitForEvent('download'),
      h.page.getByRole('link', { name: '导出Excel' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /1-11月填报情况\.xlsx$/);
    const file = await download.path();
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(file);
    assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX (zip) file');
  });
});
