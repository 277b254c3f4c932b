import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const phone = { width: 390, height: 844 };

function mainNav(page: Page, name: '主导航' | 'Main navigation' = '主导航') {
  return page.getByRole('navigation', { name });
}

test('health check answers', async ({ request }) => {
  const response = await request.get('/healthz');
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ ok: true });
});

// Guards the React 18 streaming fix in entry.server.tsx: Chinese text used to leak NUL bytes.
test('server-rendered HTML carries no NUL bytes', async ({ page, login }) => {
  const pages: [Parameters<typeof login>[0]['as'] | null, string][] = [
    [null, '/'],
    [null, '/auth/sign-in'],
    ['resident', '/me'],
    ['staff', '/office'],
    ['platform', '/console/companies'],
  ];
  for (const [persona, path] of pages) {
    if (persona) await login({ as: persona });
    const response = await page.request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(200);
    expect((await response.body()).includes(0), `NUL byte in ${path}`).toBe(false);
  }
});

test('resident home renders in Chinese by default', async ({ page }) => {
  await page.setViewportSize(phone);
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { name: '您好，欢迎回家' })).toBeVisible();
  for (const label of ['首页', '报修', '缴费', '我的']) {
    await expect(mainNav(page).getByRole('link', { name: label })).toBeVisible();
  }
  await expect(page.getByText('暂无公告')).toBeVisible();
  await expect(page.getByText('暂无待缴费用')).toBeVisible();
  await page.screenshot({ path: 'artifacts/screenshots/home-zh.png' });
});

test('resident pages with personal data need an account', async ({ page, login }) => {
  await page.goto('/me');
  await expect(page).toHaveURL('/auth/sign-in?redirectTo=%2Fme');
  await login({ as: 'resident' });
  await page.goto('/');
  await mainNav(page).getByRole('link', { name: '我的' }).click();
  await expect(page).toHaveURL('/me');
  await expect(page.getByRole('heading', { name: '我的' })).toBeVisible();
  await expect(page.getByText('张伟')).toBeVisible();
});

test('switching to English changes labels and persists after reload', async ({ page }) => {
  await page.setViewportSize(phone);
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(mainNav(page, 'Main navigation').getByRole('link', { name: 'Repairs' })).toBeVisible();
  await expect(page).toHaveURL('/');

  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { name: 'Welcome home' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'English' })).toHaveAttribute('aria-pressed', 'true');
  await page.screenshot({ path: 'artifacts/screenshots/home-en.png' });

  await page.getByRole('button', { name: '中文' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(mainNav(page).getByRole('link', { name: '报修' })).toBeVisible();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the language switch still works and returns to the same page', async ({ page, login }) => {
    await login({ as: 'staff' });
    await page.goto('/office/residents');
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page).toHaveURL('/office/residents');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('heading', { name: 'Residents' })).toBeVisible();
  });
});

test('back office layout renders its side navigation', async ({ page, login }) => {
  await login({ as: 'staff' });
  await page.goto('/office');
  await expect(page.getByRole('heading', { name: '工作台' })).toBeVisible();
  for (const label of ['工作台', '住户', '房屋', '报修', '收费', '公告', '员工与权限', '设置']) {
    await expect(mainNav(page).getByRole('link', { name: label })).toBeVisible();
  }
  await mainNav(page).getByRole('link', { name: '员工与权限' }).click();
  await expect(page).toHaveURL('/office/staff');
  await expect(page.getByRole('heading', { name: '员工与权限' })).toBeVisible();
  // A page that is not built yet says so instead of pretending.
  await mainNav(page).getByRole('link', { name: '设置' }).click();
  await expect(page).toHaveURL('/office/settings');
  await expect(page.getByText('即将上线')).toBeVisible();
});

test('back office navigation folds into a sheet on small screens', async ({ page, login }) => {
  await login({ as: 'staff' });
  await page.setViewportSize(phone);
  await page.goto('/office');
  await expect(mainNav(page)).toBeHidden();
  await page.getByRole('button', { name: '打开导航菜单' }).click();
  const sheet = page.getByRole('dialog');
  await sheet.getByRole('link', { name: '设置' }).click();
  await expect(page).toHaveURL('/office/settings');
  await expect(sheet).toBeHidden();
  await expect(page.getByRole('heading', { name: '设置' })).toBeVisible();
});

test('platform console layout renders', async ({ page, login }) => {
  await login({ as: 'platform' });
  await page.goto('/console');
  await expect(page).toHaveURL('/console/companies');
  await expect(page.getByText('平台控制台')).toBeVisible();
  for (const label of ['物业公司', '小区', '运营数据', '系统设置']) {
    await expect(mainNav(page).getByRole('link', { name: label })).toBeVisible();
  }
  await expect(page.getByRole('heading', { name: '物业公司' })).toBeVisible();
});

test.describe('unknown URLs', () => {
  // The browser reports the document's 404 status as a console error; that is the point here.
  test.use({ allowedConsoleErrors: [/status of 404/] });

  test('show the localized 404 page', async ({ page }) => {
    const response = await page.goto('/no-such-page');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: '页面不存在' })).toBeVisible();
    await page.getByRole('link', { name: '返回首页' }).click();
    await expect(page).toHaveURL('/');
  });

  test('inside a surface keep its layout, in the chosen language', async ({
    page,
    context,
    baseURL,
    login,
  }) => {
    await login({ as: 'staff' });
    await context.addCookies([{ name: 'lang', value: 'en', url: baseURL }]);
    const response = await page.goto('/office/no-such-page');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await expect(mainNav(page, 'Main navigation').getByRole('link', { name: 'Residents' })).toBeVisible();
  });
});
