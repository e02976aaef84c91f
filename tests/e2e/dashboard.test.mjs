// End-to-end: the leaders' dashboard with the rankings, in Debian's headless Chromium.
// The office opens two rounds (one due long ago, one due at year's end … of 2099) and
// two units report through the API; a leader opens the dashboard, the ranking chart of
// 区直部门 is drawn (a canvas with more than a background in it), the trend too, and
// the table behind the ranking chart downloads as an XLSX whose cells are the table's.
// Screenshots go to artifacts/e2e/dashboard-*.png.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { harness } from './harness.mjs';

const ACCOUNTS = {
  sup: { username: 'duchashi', role: 'supervisor', name: '区政府督查室' },
  ldr: { username: 'lingdao', role: 'leader', name: '分管副区长' },
  fgj: { username: 'fgj.lly', role: 'reporter', unit: '区发改局', name: '区发改局联络员' },
  czj: { username: 'czj.lly', role: 'reporter', unit: '区财政局', name: '区财政局联络员' },
};

describe('总览：各类别单位排名图、趋势图与导出', { timeout: 180_000 }, () => {
  const h = harness({ accounts: ACCOUNTS, prefix: 'dashboard' });
  const rounds = {};

  /** A JSON API call with the browser's session (and so its cookie). */
  async function api(method, pathname, data) {
    const response = await h.page.request.fetch(h.server.base + pathname, {
      method,
      data,
      headers: { Origin: h.server.base },
    });
    const body = await response.json().catch(() => null);
    assert.ok(response.ok(), `${method} ${pathname}: ${response.status()} ${JSON.stringify(body)}`);
    return body;
  }

  async function submit(round, task, text, percent) {
    const reports = await api('GET', `/api/reports?round=${round}`);
    const report = reports.find((r) => r.task === task);
    assert.ok(report, `a report on task ${task}`);
    await api('POST', `/api/reports/${report.id}/actions`, { action: 'submit', text, percent: String(percent) });
  }

  /** What a chart's canvas holds: its size and how many distinct colours it draws. */
  async function canvas(id) {
    const el = h.page.locator(`#${id} canvas`).first();
    await el.waitFor({ state: 'attached' });
    return el.evaluate((c) => {
      const ctx = c.getContext('2d');
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      const colours = new Set();
      let painted = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 0) painted += 1;
        if (colours.size < 50) colours.add(`${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}`);
      }
      return { width: c.width, height: c.height, colours: colours.size, painted };
    });
  }

  h.step('督查室开启两轮填报，两个单位报送', async () => {
    await h.login('sup');
    rounds.past = (await api('POST', '/api/rounds', { document: 1, label: '1-10月', due: '2020-11-10', tasks: '1-3' })).id;
    rounds.next = (await api('POST', '/api/rounds', { document: 1, label: '1-11月', due: '2099-12-31', tasks: '1-3' })).id;
    await h.logout();
    await h.login('fgj');
    await submit(rounds.past, 1, '已分解下达指标。', 90);
    await submit(rounds.next, 1, '正在推进。', 50);
    await h.logout();
    await h.login('czj');
    await submit(rounds.next, 2, '已完成。', 100);
    await h.logout();
  });

  h.step('领导打开总览：区直部门排名图已绘制，趋势图已绘制', async () => {
    await h.login('ldr');
    await h.clickAndWait(h.page.getByRole('link', { name: '总览', exact: true }));
    const heading = h.page.getByRole('heading', { name: /区直部门督办落实情况排名/ });
    await heading.waitFor();
    await h.page.locator('#ranking-0').scrollIntoViewIfNeeded();
    const ranking = await canvas('chart-ranking-0');
    assert.ok(ranking.width > 300 && ranking.height > 150, JSON.stringify(ranking));
    assert.ok(ranking.painted > 0 && ranking.colours > 3, `the ranking chart is drawn: ${JSON.stringify(ranking)}`);
    const trend = await canvas('chart-trend');
    assert.ok(trend.colours > 3, `the trend chart is drawn: ${JSON.stringify(trend)}`);
    // The table behind the chart: 区财政局 first, the three without a report on time tied.
    const table = h.page.locator('#ranking-0 table');
    const first = table.locator('tbody tr').first();
    assert.match(await first.innerText(), /第1名\s+区财政局/);
    assert.equal(await table.locator('tbody tr', { hasText: '第3名（并列）' }).count(), 3);
    const full = await h.screenshot('dashboard');
    await h.page.locator('#ranking-0').screenshot({ path: path.join(path.dirname(full), 'dashboard-ranking-chart.png') });
    await h.page.locator('#trend').screenshot({ path: path.join(path.dirname(full), 'dashboard-trend-chart.png') });
  });

  h.step('排名表导出为 XLSX，单元格与页面表格一致', async () => {
    const link = h.page.locator('#ranking-0').getByRole('link', { name: /导出 Excel/ });
    const [download] = await Promise.all([h.page.waitForEvent('download'), link.click()]);
    assert.match(download.suggestedFilename(), /^区直部门排名（截至\d{4}-\d{2}-\d{2}）\.xlsx$/);
    const file = path.join(h.work, 'ranking.xlsx');
    await download.saveAs(file);
    assert.equal(readFileSync(file).subarray(0, 2).toString(), 'PK');
    const unzip = (part) => {
      const run = spawnSync('unzip', ['-p', file, part], { encoding: 'utf8' });
      assert.equal(run.status, 0, `${part}: ${run.stderr}`);
      return run.stdout;
    };
    const strings = [...unzip('xl/sharedStrings.xml').matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((m) => m[1]);
    const sheet = unzip('xl/worksheets/sheet1.xml');
    // Row 4 (the first unit): 名次 and 单位 as shared strings, 按时报送率 (column J) 50.
    const cell = (ref) => sheet.match(new RegExp(`<c r="${ref}"[^>]*?(?: t="(\\w+)")?[^>]*>(?:<v>([^<]*)</v>)?`));
    const text = (ref) => { const m = cell(ref); return m && strings[Number(m[2])]; };
    assert.equal(text('A4'), '第1名');
    assert.equal(text('B4'), '区财政局');
    assert.equal(Number(cell('J4')?.[2]), 50);
    assert.equal(text('B5'), '区发改局');
    assert.equal(Number(cell('J5')?.[2]), 25);
    assert.equal(text('A6'), '第3名（并列）');
    assert.ok(strings.some((s) => s.startsWith('区直部门督办落实情况排名')), strings.slice(0, 5).join(' | '));
  });

  h.step('领导查看督办升级：各单位当前档次，无修改表单', async () => {
    await h.clickAndWait(h.page.locator('nav').getByRole('link', { name: '督办升级', exact: true }));
    assert.match(await h.mainText(), /提醒 → 2\. 通报点名 → 3\. 约谈 → 4\. 挂牌督办/);
    assert.equal(await h.page.getByRole('button', { name: '记录调整' }).count(), 0);
    assert.ok(await h.page.getByRole('rowheader', { name: '区发改局', exact: true }).first().isVisible());
    await h.screenshot('oversight');
  });

  h.step('没有出现错误响应或脚本错误', async () => {
    assert.deepEqual(h.badResponses, []);
    assert.deepEqual(h.pageErrors, []);
  });
});
