// End-to-end: a round's own 通报, from the units' reports to the public page, in
// Debian's headless Chromium. The office sets its 文号 series and opens a round; two
// units report and their heads approve; the office accepts one and returns the other;
// the notice is generated from the accepted report; its wording is edited with a wrong
// figure and issuing is refused with the message; fixed, it is issued and appears on
// /public with its files. Screenshots go to artifacts/e2e/notice-*.png.

import { describe } from 'node:test';
import assert from 'node:assert/strict';

import { harness } from './harness.mjs';

const ACCOUNTS = {
  sup: { username: 'duchashi', role: 'supervisor', name: '区政府督查室' },
  fgj: { username: 'fgj.lly', role: 'reporter', unit: '区发改局', name: '区发改局联络员' },
  fgjHead: { username: 'fgj.fzr', role: 'unit_head', unit: '区发改局', name: '区发改局负责人' },
  czj: { username: 'czj.lly', role: 'reporter', unit: '区财政局', name: '区财政局联络员' },
  czjHead: { username: 'czj.fzr', role: 'unit_head', unit: '区财政局', name: '区财政局负责人' },
};
const YEAR = new Date().getFullYear();
const ROUND_LABEL = '1-10月';

describe('本轮通报：由填报生成、改措辞、核对数字、印发、公开', { timeout: 180_000 }, () => {
  const h = harness({ accounts: ACCOUNTS, prefix: 'notice' });
  let roundId;
  let noticeUrl;
  let done; // 已完成 as the generated wording states it

  /** The report link of task `number` (of `unit` where the table lists units). */
  function reportLink(number, unit) {
    let rows = h.page
      .getByRole('row')
      .filter({ has: h.page.locator('a.state') })
      .filter({ has: h.page.getByRole('rowheader', { name: String(number), exact: true }) });
    if (unit) rows = rows.filter({ hasText: unit });
    return rows.locator('a.state');
  }

  async function report(who, head, number, text) {
    await h.login(who);
    await h.clickAndWait(h.page.getByRole('link', { name: '本单位任务', exact: true }));
    await h.clickAndWait(reportLink(number));
    await h.page.getByRole('textbox', { name: /填报内容/ }).fill(text);
    assert.equal(await h.clickAndWait(h.page.getByRole('button', { name: '提交单位审核' })), 200);
    await h.logout();
    await h.login(head);
    await h.clickAndWait(h.page.getByRole('link', { name: '待审核', exact: true }));
    await h.clickAndWait(reportLink(number));
    assert.equal(await h.clickAndWait(h.page.getByRole('button', { name: '审核通过' })), 200);
    await h.logout();
  }

  h.step('督查室设置发文机关和发文字号，开启一轮填报', async () => {
    await h.login('sup');
    await h.clickAndWait(h.page.getByRole('link', { name: '通报设置', exact: true }));
    await h.page.getByLabel(/^发文机关/).fill('泉州市鲤城区人民政府办公室');
    await h.page.getByLabel(/督查机构/).fill('区政府督查室');
    await h.page.getByLabel('机关代字').fill('泉鲤政办');
    await h.page.getByLabel('年份').fill(String(YEAR));
    await h.page.getByLabel('下一个序号').fill('49');
    await h.screenshot('settings');
    await h.clickAndWait(h.page.getByRole('button', { name: '保存' }));
    assert.match(await h.mainText(), /已保存/);

    await h.go('/rounds');
    const form = h.page.locator('form', { has: h.page.getByRole('button', { name: '开启' }) });
    await form.getByLabel('填报期间').fill(ROUND_LABEL);
    const due = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    await form.getByLabel('截止日期').fill(due);
    await form.getByLabel(/包含任务/).fill('1-2');
    await h.clickAndWait(form.getByRole('button', { name: '开启' }));
    roundId = new URL(h.page.url()).pathname.match(/^\/rounds\/(\d+)$/)?.[1];
    assert.ok(roundId, h.page.url());
    await h.logout();
  });

  h.step('两个单位填报，单位负责人审核通过', async () => {
    await report('fgj', 'fgjHead', 1, '已将 GDP 增长 2.5% 等指标全部分解下达至各街道，已完成。');
    await report('czj', 'czjHead', 2, '一般公共预算收入完成年预算的 67.9%，进度滞后，正在加紧组织收入。');
  });

  h.step('督查室采纳一份，驳回一份', async () => {
    await h.login('sup');
    await h.clickAndWait(h.page.getByRole('link', { name: '待审核', exact: true }));
    await h.clickAndWait(reportLink(1, '区发改局'));
    await h.clickAndWait(h.page.getByRole('button', { name: '采纳', exact: true }));
    await h.clickAndWait(h.page.getByRole('link', { name: '待审核', exact: true }));
    await h.clickAndWait(reportLink(2, '区财政局'));
    const review = h.page.locator('section.card', { has: h.page.getByRole('heading', { name: '审核' }) });
    await review.getByLabel(/意见/).fill('请补充全年预计完成情况。');
    assert.equal(await h.clickAndWait(review.getByRole('button', { name: '驳回重办' })), 200);
  });

  h.step('生成本轮通报：数字均由附件表统计', async () => {
    await h.go(`/rounds/${roundId}`);
    await h.clickAndWait(h.page.getByRole('link', { name: '本轮通报' }));
    noticeUrl = new URL(h.page.url()).pathname;
    assert.equal(noticeUrl, `/rounds/${roundId}/notice`);
    const text = await h.mainText();
    assert.match(text, /本轮通报（草稿）/);
    assert.match(text, /关于黄辉灿区长在区政府第一次全体会上的讲话部署落实情况的通报/);
    // Task 1's accepted report is in the table; task 2's returned one is not.
    assert.match(text, /已将 GDP 增长 2\.5% 等指标全部分解下达至各街道/);
    assert.doesNotMatch(text, /67\.9%/);
    // The figures are the table's: two tasks, task 2 without an accepted report (无法判断).
    const second = await h.page.getByRole('textbox', { name: '第 2 段' }).inputValue();
    const m = second.match(/共2项任务，已完成(\d+)项，推进中(\d+)项，滞后(\d+)项，受阻(\d+)项(?:，未启动(\d+)项)?，无法判断1项/);
    assert.ok(m, second);
    const counted = m.slice(1).reduce((sum, n) => sum + Number(n ?? 0), 0);
    assert.equal(counted, 1, `task 1 is counted once: ${second}`);
    done = Number(m[1]);
    await h.screenshot('generated');
  });

  h.step('改措辞写错数字：可保存，但印发被拒并说明哪个数字', async () => {
    const box = h.page.getByRole('textbox', { name: '第 2 段' });
    const right = await box.inputValue();
    await box.fill(right.replace(`已完成${done}项`, `已完成${done + 1}项`));
    await h.clickAndWait(h.page.getByRole('button', { name: '保存措辞' }));
    assert.match(await h.mainText(), /正文中的数字与附件表不一致（1 处）/);
    await h.page.getByLabel('确认印发').check();
    const status = await h.clickAndWait(h.page.getByRole('button', { name: '印发通报' }));
    assert.equal(status, 422);
    const alert = await h.page.getByRole('alert').first().innerText();
    assert.ok(alert.includes(`已完成${done + 1}项`), alert);
    assert.ok(alert.includes(`应为 ${done} 项，正文写的是 ${done + 1} 项`), alert);
    await h.screenshot('wrong-figure-refused');

    await h.page.getByRole('textbox', { name: '第 2 段' }).fill(right);
    await h.clickAndWait(h.page.getByRole('button', { name: '保存措辞' }));
    assert.doesNotMatch(await h.mainText(), /不一致/);
  });

  h.step('印发：按发文字号编号，公开页面可读、可下载', async () => {
    await h.page.getByLabel('确认印发').check();
    assert.equal(await h.clickAndWait(h.page.getByRole('button', { name: '印发通报' })), 200);
    const number = `泉鲤政办〔${YEAR}〕49号`;
    assert.equal(await h.page.locator('h1').innerText(), `已印发：${number}`);
    await h.screenshot('issued');
    await h.logout();

    await h.go('/public');
    await h.clickAndWait(h.page.getByRole('link', { name: /落实情况的通报/ }).last());
    const text = await h.mainText();
    assert.match(text, new RegExp(number));
    assert.match(text, /共2项任务，已完成\d项/);
    await h.screenshot('public');
    for (const [label, type] of [['PDF', 'application/pdf'], ['DOCX', 'wordprocessingml']]) {
      const href = await h.page.getByRole('link', { name: label, exact: true }).getAttribute('href');
      const response = await h.page.request.get(h.server.base + href);
      assert.equal(response.status(), 200, href);
      assert.match(response.headers()['content-type'], new RegExp(type));
    }
  });

  h.step('页面无报错', async () => {
    assert.deepEqual(h.pageErrors, []);
    assert.deepEqual(h.badResponses, []);
  });
});
