// End-to-end: the audit log (审计日志) in Debian's headless Chromium. A reporter saves
// a report and signs out; the administrator finds the save in the log with its before
// and after, follows the reporter's name to their history, opens the task's 变更记录 by its address
// from the task page, and downloads the log as CSV. The office's supervisor has no
// 审计日志 in the menu and is refused at /audit. Screenshots: artifacts/e2e/audit-*.png.

import { describe } from 'node:test';
import assert from 'node:assert/strict';

import { harness } from './harness.mjs';

const ACCOUNTS = {
  adm: { username: 'sjgly', role: 'audit_admin', name: '审计管理员' },
  sup: { username: 'duchashi', role: 'supervisor', name: '区政府督查室' },
  fgj: { username: 'fgj.lly', role: 'reporter', unit: '区发改局', name: '区发改局联络员' },
};

describe('审计日志：记录、账户与任务的变更记录、导出', { timeout: 180_000 }, () => {
  const h = harness({ accounts: ACCOUNTS, prefix: 'audit' });

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

  h.step('督查室开启一轮填报，菜单中没有审计日志', async () => {
    await h.login('sup');
    await api('POST', '/api/rounds', { document: 1, label: '1-11月', due: '2020-12-10', tasks: '1-3' });
    assert.equal(await h.page.locator('header nav a', { hasText: '审计日志' }).count(), 0);
    const response = await h.page.goto(h.server.base + '/audit');
    assert.equal(response.status(), 403);
    await h.go('/tasks');
    await h.logout();
  });

  h.step('联络员保存填报', async () => {
    await h.login('fgj');
    const reports = await api('GET', '/api/reports/mine');
    const first = reports.find((r) => r.task === 1);
    await api('POST', `/api/reports/${first.id}/actions`, {
      action: 'save_draft',
      text: '已完成年度投资计划的百分之八十',
      percent: '80',
    });
    await h.logout();
  });

  h.step('审计管理员在审计日志中看到保存前后的内容', async () => {
    await h.login('adm');
    await h.clickAndWait(h.page.locator('header nav a', { hasText: '审计日志' }));
    const text = await h.mainText();
    for (const shown of ['已完成年度投资计划的百分之八十', 'fgj.lly', '退出登录', '登录成功', '127.0.0.1']) {
      assert.ok(text.includes(shown), `${shown} on the log page`);
    }
    await h.screenshot('log');
  });

  h.step('按账户筛选，再看该账户的操作记录', async () => {
    await h.clickAndWait(h.page.locator('td a', { hasText: 'fgj.lly' }).first());
    assert.match(new URL(h.page.url()).pathname, /^\/audit\/users\/\d+$/);
    const text = await h.mainText();
    assert.ok(text.includes('账户操作记录'), text.slice(0, 200));
    assert.ok(!text.includes('duchashi'), 'only fgj.lly’s entries');
    await h.screenshot('user');
  });

  h.step('任务的变更记录', async () => {
    // 三员分立: the 审计管理员 reads a task's history, not the task page itself.
    assert.equal((await h.page.goto(`${h.server.base}/documents/1/tasks/1`))?.status(), 403);
    await h.go('/documents/1/tasks/1/history');
    const text = await h.mainText();
    assert.ok(text.includes('第 1 项任务的变更记录'));
    assert.ok(text.includes('已完成年度投资计划的百分之八十'));
    await h.screenshot('task');
  });

  h.step('导出 CSV', async () => {
    await h.go('/audit');
    const response = await h.page.request.get(h.server.base + '/audit/export.csv');
    assert.equal(response.status(), 200);
    const csv = await response.text();
    assert.ok(csv.startsWith('\ufeff序号,时间'), csv.slice(0, 40));
    assert.ok(csv.includes('已完成年度投资计划的百分之八十'));
  });
});
