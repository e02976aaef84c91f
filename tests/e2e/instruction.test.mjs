// End-to-end in Debian's headless Chromium: a leader's 批示 reopens a task the office
// closed and marks it for 领导督办, and the lead unit finds it on 本单位任务; and a
// round closed while a reporter is typing: the refusal keeps the typed text on the
// page. Screenshots go to artifacts/e2e/instruction-*.png.
//
// Run with `node --test` in tests/e2e after `npm ci`; needs a built binary (see
// harness.mjs for DUBAN_BIN, CHROMIUM and E2E_ARTIFACTS).

import { describe } from 'node:test';
import assert from 'node:assert/strict';

import { harness, PASSWORD } from './harness.mjs';

const ACCOUNTS = {
  sup: { username: 'duchashi', role: 'supervisor', name: '区政府督查室' },
  ldr: { username: 'quzhang', role: 'leader', name: '黄辉灿区长' },
  lly: { username: 'fgj.lly', role: 'reporter', unit: '区发改局', name: '区发改局联络员' },
};

const INSTRUCTION = '项目尚有收尾工作未完成，请区发改局继续跟踪，年底前报结果。';
const TYPED = '11月已完成项目验收，正在办理竣工结算。';

let h;

function inDays(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** The office's own session, outside the browser: what another desk does meanwhile. */
async function officeApi(method, pathname, body) {
  const login = await fetch(`${h.server.base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ACCOUNTS.sup.username, password: PASSWORD }),
  });
  assert.equal(login.status, 200, await login.text());
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const response = await fetch(`${h.server.base}${pathname}`, {
    method,
    headers: { 'content-type': 'application/json', cookie },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${pathname}: ${response.status} ${text}`);
  return JSON.parse(text);
}

describe('领导批示重新开启已办结任务；轮次关闭时已填写的内容不丢失', { timeout: 180_000 }, () => {
  h = harness({ accounts: ACCOUNTS, prefix: 'instruction' });

  h.step('督查室办结销号第 1 项', async () => {
    await h.login('sup');
    await h.go('/documents/1/tasks/1');
    await h.page.getByLabel(/^说明/).fill('经核实，项目已完工。');
    assert.equal(await h.clickAndWait(h.page.getByRole('button', { name: '办结销号' })), 200);
    assert.equal(await h.page.locator('h1 .task-state').innerText(), '已办结');
    await h.logout();
  });

  h.step('区长批示：重新开启并列为领导督办', async () => {
    await h.login('ldr');
    await h.go('/documents/1/tasks/1');
    const form = h.page.locator('#instructions form');
    // A leader signs with the account's name: no 批示领导 field to fill.
    assert.equal(await form.getByLabel(/^批示领导/).count(), 0);
    await form.getByLabel('批示内容').fill(INSTRUCTION);
    await form.getByLabel(/重新开启本任务/).check();
    await form.getByLabel(/列为领导督办/).check();
    assert.equal(await h.clickAndWait(form.getByRole('button', { name: '提交批示' })), 200);
    assert.equal(await h.page.locator('h1 .task-state').innerText(), '办理中');
    assert.equal(await h.page.locator('h1 .supervised').innerText(), '领导督办');
    const shown = await h.page.locator('#instructions ol').innerText();
    assert.ok(shown.includes(`黄辉灿区长`) && shown.includes(INSTRUCTION), shown);
    assert.ok(shown.includes('据此重新开启任务') && shown.includes('列为领导督办'), shown);
    const history = await h.page.locator('ol.history li').last().innerText();
    assert.match(history, /黄辉灿区长（领导）重新开启：已办结 → 办理中/);
    await h.screenshot('task-reopened');
    await h.go('/tasks?document=1');
    const row = h.page.getByRole('row').filter({ has: h.page.getByRole('link', { name: '1', exact: true }) });
    assert.equal(await row.locator('.supervised').innerText(), '督办');
    await h.logout();
  });

  h.step('区发改局在“本单位任务”看到批示', async () => {
    await h.login('lly');
    await h.go('/my');
    const card = h.page.locator('#instructions');
    assert.ok((await card.innerText()).includes(INSTRUCTION));
    await h.screenshot('unit-sees-instruction');
    await h.clickAndWait(card.getByRole('link', { name: /第 1 项/ }));
    assert.equal(new URL(h.page.url()).pathname, '/documents/1/tasks/1');
    // Units read a 批示; they do not write one.
    assert.equal(await h.page.locator('#instructions form').count(), 0);
    await h.logout();
  });

  h.step('填报时轮次被关闭：提交被拒，已填写的内容仍在页面上', async () => {
    const round = await officeApi('POST', '/api/rounds', { document: 1, label: '1-11月', due: inDays(10), tasks: '1-3' });
    await h.login('lly');
    await h.go('/my');
    await h.clickAndWait(h.page.getByRole('row').filter({ hasText: '1-11月' }).first().locator('a.state'));
    const editor = h.page.getByLabel(/^填报内容/);
    await editor.fill(TYPED);
    // Meanwhile the office closes the round.
    await officeApi('POST', `/api/rounds/${round.id}/close`, {});
    assert.equal(await h.clickAndWait(h.page.getByRole('button', { name: '提交单位审核' })), 422);
    const text = await h.mainText();
    assert.ok(text.includes('本轮填报已关闭'), text);
    const kept = h.page.getByRole('textbox', { name: '未保存的填报内容' });
    assert.equal(await kept.inputValue(), TYPED);
    await h.screenshot('closed-round-keeps-text');
    await h.logout();
  });
});
