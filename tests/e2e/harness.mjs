// What every browser walk needs: a scratch store with the seed and accounts, `duban
// serve` on a free port, Debian's headless Chromium with a fresh profile, and the steps
// a person takes (log in, click and wait, screenshot). One harness per test file.
//
//   DUBAN_BIN      the duban binary (default: target/debug/duban of this repository)
//   CHROMIUM       the browser (default /usr/bin/chromium; never a downloaded one)
//   E2E_ARTIFACTS  where screenshots go (default <repo>/artifacts/e2e)

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, existsSync, readdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../..');
const DUBAN = process.env.DUBAN_BIN
  ? path.resolve(process.env.DUBAN_BIN)
  : path.resolve(here, '../../target/debug/duban');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const SEED = path.join(repo, 'data/seed/000_5b3cae3e93885f9f.txt');
const ARTIFACTS = path.resolve(repo, process.env.E2E_ARTIFACTS ?? 'artifacts/e2e');
export const PASSWORD = 'e2e-correct-horse-1';
/** How long one browser action may wait (a missing button fails fast, not after 30 s). */
export const ACTION_TIMEOUT = 5_000;

/**
 * A harness for one walk: `accounts` maps a short name to {username, role, name, unit?};
 * screenshots go to artifacts/e2e/<prefix>-NN-<name>.png. Registers before/after hooks.
 */
export function harness({ accounts, prefix }) {
  const h = {
    work: null,
    server: null,
    context: null,
    page: null,
    failed: false,
    shot: 0,
    badResponses: [],
    pageErrors: [],
  };

  function cliEnv() {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    delete env.DUBAN_BIND;
    return env;
  }

  /** Runs `duban ARGS` in the work dir; its stdout, or throws with its output. */
  h.duban = (args, input) => {
    const run = spawnSync(DUBAN, args, { cwd: h.work, env: cliEnv(), input, encoding: 'utf8', timeout: 30_000 });
    if (run.error) throw run.error;
    if (run.status !== 0) {
      throw new Error(`duban ${args.join(' ')} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
    }
    return run.stdout;
  };

  function startServer() {
    return new Promise((resolve, reject) => {
      const child = spawn(DUBAN, ['serve', '--bind', '127.0.0.1:0'], {
        cwd: h.work,
        // Accounts made with `duban user add` would have to change their password first.
        env: { ...cliEnv(), DUBAN_FORCE_PASSWORD_CHANGE: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const timer = setTimeout(() => reject(new Error(`server did not start in 15 s:\n${output}`)), 15_000);
      const onData = (chunk) => {
        output += chunk;
        const m = output.match(/督办已启动：(http:\/\/[^/\s]+)\//);
        if (m && !h.server) {
          clearTimeout(timer);
          h.server = { child, base: m[1], get output() { return output; } };
          resolve(h.server);
        }
      };
      child.stdout.setEncoding('utf8').on('data', onData);
      child.stderr.setEncoding('utf8').on('data', (c) => { output += c; });
      child.on('error', (e) => { clearTimeout(timer); reject(e); });
      child.on('exit', (code) => {
        if (!h.server) { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${output}`)); }
      });
    });
  }

  async function stopServer() {
    const server = h.server;
    if (!server || server.child.exitCode !== null) return;
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGINT'); // graceful shutdown on Ctrl-C
    const t = setTimeout(() => server.child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(t);
  }

  before(async () => {
    assert.ok(existsSync(DUBAN), `no duban binary at ${DUBAN}: run cargo build first, or set DUBAN_BIN`);
    assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: apt-get install chromium`);
    h.work = mkdtempSync(path.join(tmpdir(), 'duban-e2e-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const f of readdirSync(ARTIFACTS)) {
      if (f.startsWith(`${prefix}-`) && f.endsWith('.png')) unlinkSync(path.join(ARTIFACTS, f));
    }
    h.duban(['import', SEED]);
    for (const a of Object.values(accounts)) {
      const args = ['user', 'add', a.username, '--role', a.role, '--name', a.name, '--password-stdin'];
      if (a.unit) args.push('--unit', a.unit);
      h.duban(args, `${PASSWORD}\n`);
    }
    await startServer();
    const profile = mkdtempSync(path.join(h.work, 'chromium-'));
    // launchPersistentContext passes the fresh profile as --user-data-dir.
    h.context = await chromium.launchPersistentContext(profile, {
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
    h.context.setDefaultTimeout(ACTION_TIMEOUT);
    h.context.setDefaultNavigationTimeout(ACTION_TIMEOUT);
    h.page = h.context.pages()[0] ?? (await h.context.newPage());
    h.page.on('response', (r) => {
      // 422 is how a refused step answers (the page shows why); anything else is a fault.
      if (r.status() >= 400 && r.status() !== 422) h.badResponses.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    h.page.on('pageerror', (e) => h.pageErrors.push(String(e)));
  });

  after(async () => {
    await h.context?.close().catch(() => {});
    const output = h.server?.output ?? '';
    await stopServer();
    if (h.failed && output) console.error(`--- duban serve output ---\n${output}`);
    if (h.work) rmSync(h.work, { recursive: true, force: true });
  });

  /** The visible text of the page's <main>, whitespace collapsed. */
  h.mainText = async () => (await h.page.locator('main').innerText()).replace(/[ \t]+/g, ' ');

  h.screenshot = async (name) => {
    h.shot += 1;
    const file = path.join(ARTIFACTS, `${prefix}-${String(h.shot).padStart(2, '0')}-${name}.png`);
    await h.page.screenshot({ path: file, fullPage: true });
    return file;
  };

  /** Navigates and checks the answer was a success. */
  h.go = async (pathname) => {
    const response = await h.page.goto(h.server.base + pathname);
    assert.ok(response, `no response for ${pathname}`);
    assert.ok(response.ok(), `${pathname}: HTTP ${response.status()}`);
  };

  /** Clicks a button or link and waits for the page it leads to; returns that page's status. */
  h.clickAndWait = async (locator) => {
    try {
      await locator.waitFor({ state: 'visible' });
    } catch {
      throw new Error(`not on ${new URL(h.page.url()).pathname}: ${locator}\n--- page text ---\n${await h.mainText()}`);
    }
    const [response] = await Promise.all([
      h.page.waitForNavigation({ timeout: ACTION_TIMEOUT }),
      locator.click(),
    ]);
    return response?.status();
  };

  h.login = async (who) => {
    const account = accounts[who];
    await h.go('/login');
    assert.equal(await h.page.locator('h1').innerText(), '登录');
    await h.page.getByLabel('用户名').fill(account.username);
    await h.page.getByLabel('密码').fill(PASSWORD);
    const status = await h.clickAndWait(h.page.getByRole('button', { name: '登录', exact: true }));
    assert.equal(status, 200, `login as ${account.username}`);
    const who_ = await h.page.locator('header .who').innerText();
    assert.ok(who_.includes(account.name), `header shows ${account.name}: ${who_}`);
  };

  h.logout = async () => {
    await h.clickAndWait(h.page.getByRole('button', { name: '退出' }));
    assert.match(new URL(h.page.url()).pathname, /^\/login$/);
    const cookies = await h.context.cookies(h.server.base);
    assert.ok(!cookies.some((c) => c.name === 'duban_session'), 'the session cookie is gone');
  };

  /** Runs a step unless an earlier one failed (then it is skipped, not failed again). */
  h.step = (name, fn) => {
    it(name, { timeout: 30_000 }, async (t) => {
      if (h.failed) {
        t.skip('an earlier step failed');
        return;
      }
      try {
        await fn();
      } catch (e) {
        h.failed = true;
        if (h.page) {
          const file = await h.screenshot('FAILED').catch(() => null);
          if (file) e.message += `\n(screenshot: ${file})`;
        }
        throw e;
      }
    });
  };

  return h;
}
