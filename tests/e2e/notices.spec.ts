import type { Browser, Page, WebSocket } from '@playwright/test';
import { demoPassword, expect, personas, test } from './fixtures';

/**
 * Two people at once: a resident (张伟, 翠湖花园) has the app open; the company admin (周建国)
 * publishes an emergency notice in the back office. The resident's open page shows the banner
 * without a reload (Realtime, private topic user:<uid>), the resident opens it, and the staff
 * page counts the read receipt.
 */

const phone = { width: 390, height: 844 };

type Frame = { ref: string | null; topic: string; event: string; payload: unknown };

/** Phoenix frames as realtime-js sends them: arrays in vsn 2.0.0, objects in vsn 1.0.0. */
function parseFrame(text: string): Frame | null {
  try {
    const f = JSON.parse(text);
    if (Array.isArray(f)) return { ref: f[1], topic: f[2], event: f[3], payload: f[4] };
    return { ref: f.ref, topic: f.topic, event: f.event, payload: f.payload };
  } catch {
    return null; // binary broadcast frames
  }
}

/** Resolves once the page's Realtime socket has joined a private topic `user:…` (the join was accepted). */
function joinedUserTopic(page: Page): Promise<void> {
  return new Promise((resolve) => {
    const watch = (ws: WebSocket) => {
      if (!ws.url().includes('/realtime/v1/websocket')) return;
      const joins = new Set<string>();
      ws.on('framesent', ({ payload }) => {
        const f = parseFrame(String(payload));
        if (f?.event === 'phx_join' && f.topic.startsWith('realtime:user:') && f.ref) joins.add(f.ref);
      });
      ws.on('framereceived', ({ payload }) => {
        const f = parseFrame(String(payload));
        if (
          f?.event === 'phx_reply' &&
          f.ref &&
          joins.has(f.ref) &&
          (f.payload as { status?: string }).status === 'ok'
        ) {
          resolve();
        }
      });
    };
    page.on('websocket', watch);
  });
}

/** The resident signs in through the app's sign-in page, in a browser context of their own. */
async function residentPage(browser: Browser, baseURL: string | undefined) {
  const context = await browser.newContext({ baseURL, locale: 'zh-CN', timezoneId: 'UTC', viewport: phone });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/auth/sign-in?method=password');
  await page.getByLabel('手机号或邮箱').fill(personas.resident.phone);
  await page.getByLabel('密码', { exact: true }).fill(demoPassword);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page).toHaveURL('/');
  return { context, page, errors };
}

/** Publishes a notice to the whole of 翠湖花园 from the back office; returns its page URL. */
async function publishNotice(page: Page, title: string, priority: '普通' | '紧急', body: string) {
  await page.goto('/office/notices/new');
  await page.getByLabel('标题', { exact: true }).fill(title);
  await page.getByLabel('分类', { exact: true }).selectOption('outage');
  await page.getByRole('radio', { name: priority }).check();
  await page.getByRole('textbox', { name: '正文' }).fill(body);
  await page.getByRole('radio', { name: '全小区' }).check();
  await page.getByRole('radio', { name: '立即发布' }).check();
  await page.getByRole('button', { name: '保存并发布' }).click();
  await expect(page).toHaveURL(/\/office\/notices\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('notice-status')).toContainText('已发布');
  return page.url();
}

test('an emergency notice reaches the open resident page live, and its read is counted', async ({
  page,
  browser,
  baseURL,
  login,
}) => {
  test.setTimeout(90_000);

  // The resident signs in through the app's sign-in page, in a context of their own.
  const {
    context: residentContext,
    page: resident,
    errors: residentErrors,
  } = await residentPage(browser, baseURL);
  const joined = joinedUserTopic(resident);
  await resident.reload();
  await expect(resident.getByRole('heading', { name: `${personas.resident.name}，您好` })).toBeVisible();
  await joined;
  // Marks this document: if the banner came with a reload, the mark would be gone.
  await resident.evaluate(() => {
    (window as unknown as { __noReload: boolean }).__noReload = true;
  });
  const badge = resident.getByTestId('unread-badge');
  const unreadBefore = (await badge.count()) ? Number(await badge.textContent()) : 0;

  // The company admin writes and publishes the notice.
  await login({ as: 'staff' });
  const title = `紧急停水通知 ${Date.now().toString(36)}`;
  const noticeUrl = await publishNotice(
    page,
    title,
    '紧急',
    '今天 14:00–18:00 小区主管道抢修，全小区停水，请提前储水。',
  );

  // The resident's page, untouched since, shows the banner and a higher unread count.
  const banner = resident.getByRole('alert').filter({ hasText: '紧急通知' });
  await expect(banner).toBeVisible({ timeout: 15_000 });
  await expect(banner).toContainText(title);
  expect(await resident.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(
    true,
  );
  await expect(badge).toHaveText(String(unreadBefore + 1));
  await expect(resident.getByRole('link', { name: title })).toBeVisible();
  await resident.screenshot({ path: 'artifacts/screenshots/notice-emergency-banner.png' });

  // Opening it is reading it.
  await banner.getByRole('link', { name: '查看详情' }).click();
  await expect(resident.getByRole('heading', { name: title })).toBeVisible();
  await expect(resident.getByText('全小区停水')).toBeVisible();

  // The back office counts the read (per building too).
  await page.goto(noticeUrl);
  await expect(page.getByTestId('read-summary')).toContainText(/已读 [1-9]\d* \/ 已通知 [1-9]\d* 人/);
  await expect(page.getByRole('table', { name: '各楼栋阅读情况' })).toContainText('1栋');
  await page.screenshot({ path: 'artifacts/screenshots/notice-office-stats.png', fullPage: true });

  // Tidy up: withdraw it, so other runs start from a quiet board.
  await page.getByRole('button', { name: '撤回公告' }).click();
  await expect(page.getByTestId('notice-status')).toContainText('已撤回');

  await residentContext.close();
  expect(residentErrors).toEqual([]);
});

test('the inbox opens entries, marks them read, and keeps notification settings', async ({
  page,
  browser,
  baseURL,
  login,
}) => {
  test.setTimeout(90_000);
  await login({ as: 'staff' });
  const title = `电梯年检通知 ${Date.now().toString(36)}`;
  const noticeUrl = await publishNotice(page, title, '普通', '1栋电梯周六 9:00–12:00 年检，请走楼梯。');

  const resident = await residentPage(browser, baseURL);
  const r = resident.page;
  await r.goto('/me/notifications');
  await expect(r.getByRole('heading', { name: '消息中心' })).toBeVisible();
  const entry = r.getByRole('button', { name: title, exact: true });
  await expect(entry).toBeVisible();
  await expect(r.getByRole('button', { name: `将「${title}」标为已读` })).toBeVisible();

  // Opening an entry marks it read and goes to its notice.
  await entry.click();
  await expect(r.getByRole('heading', { name: title })).toBeVisible();
  await r.goto('/me/notifications');
  await expect(r.getByRole('button', { name: `将「${title}」标为已读` })).toHaveCount(0);

  // Mark all read empties the badge.
  const markAll = r.getByRole('button', { name: '全部标为已读' });
  if (await markAll.count()) await markAll.click();
  await expect(r.getByText('全部已读')).toBeVisible();
  await expect(r.getByTestId('unread-badge')).toHaveCount(0);

  // Settings: SMS for bills on, quiet hours on; both kept.
  await r.getByRole('link', { name: '通知设置' }).click();
  await expect(r.getByText('本设备的推送通知')).toBeVisible();
  const billsSms = r.getByRole('checkbox', { name: '账单缴费 · 短信' });
  await billsSms.check();
  await r.getByRole('checkbox', { name: '开启免打扰' }).check();
  await r.getByLabel('开始').fill('22:30');
  await r.getByRole('button', { name: '保存设置' }).click();
  await expect(r.getByRole('status').filter({ hasText: '设置已保存' })).toBeVisible();
  await r.reload();
  await expect(billsSms).toBeChecked();
  await expect(r.getByLabel('开始')).toHaveValue('22:30');
  await r.screenshot({ path: 'artifacts/screenshots/notification-settings.png', fullPage: true });
  // Put the settings back for other runs.
  await billsSms.uncheck();
  await r.getByRole('checkbox', { name: '开启免打扰' }).uncheck();
  await r.getByRole('button', { name: '保存设置' }).click();
  await expect(r.getByRole('status').filter({ hasText: '设置已保存' })).toBeVisible();

  await page.goto(noticeUrl);
  await page.getByRole('button', { name: '撤回公告' }).click();
  await expect(page.getByTestId('notice-status')).toContainText('已撤回');
  await resident.context.close();
  expect(resident.errors).toEqual([]);
});
