// End-to-end: a form sent with a required field empty is refused by the browser in
// Chinese, naming the field (static/forms.js), whatever the browser's own language.
//
// Run with `node --test` in tests/e2e after `npm ci`; needs a built binary (see
// harness.mjs for DUBAN_BIN, CHROMIUM and E2E_ARTIFACTS).

import { describe } from 'node:test';
import assert from 'node:assert/strict';

import { harness } from './harness.mjs';

const ACCOUNTS = {
  sup: { username: 'duchashi', role: 'supervisor', name: '区政府督查室' },
};

describe('表单校验提示为中文', { timeout: 60_000 }, () => {
  const h = harness({ accounts: ACCOUNTS, prefix: 'forms' });

  h.step('开启填报时未填截止日期：浏览器以中文提示并指明字段', async () => {
    await h.login('sup');
    await h.go('/rounds');
    const form = h.page.locator('form', { has: h.page.getByRole('button', { name: '开启' }) });
    await form.getByLabel('填报期间').fill('1-11月');
    const due = form.getByLabel('截止日期');
    await form.getByRole('button', { name: '开启' }).click();
    // The browser refused to send it: still on /rounds, with our message on the field.
    assert.equal(new URL(h.page.url()).pathname, '/rounds');
    assert.equal(await due.evaluate((el) => el.validationMessage), '请填写“截止日期”');
    // Typing clears it.
    await due.fill('2030-11-10');
    assert.equal(await due.evaluate((el) => el.validationMessage), '');
    await h.screenshot('rounds-required');
  });
});
