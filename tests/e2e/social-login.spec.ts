import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/**
 * WeChat and QQ sign-in in Chromium against the e2e platform's simulator (/_dev/wechat,
 * /_dev/qq on :55421): the same redirects, codes and API calls as the real providers.
 */

const PLATFORM = 'http://127.0.0.1:55421';
const mobile = { width: 390, height: 844 };
const shot = (page: Page, name: string) =>
  page.screenshot({ path: `artifacts/screenshots/social-${name}.png` });

/** A mainland mobile number no earlier run on this data folder has used. */
function freshPhone(): string {
  return `137${String(Date.now()).slice(-5)}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
}

/** The SMS code the platform "sent" to the phone after `since` (its dev outbox, as JSON). */
async function smsCode(phone: string, since: Date): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${PLATFORM}/_dev/outbox?to=${encodeURIComponent(`+86${phone}`)}&format=json`);
    const { messages } = (await res.json()) as { messages: { otp: string | null; created_at: string }[] };
    const latest = messages.find((m) => m.otp && Date.parse(m.created_at) >= since.getTime() - 1000);
    if (latest?.otp) return latest.otp;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no code reached ${phone}`);
}

const masked = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(-4)}`;

test('a new WeChat user adds a phone, signs out, and WeChat signs them in to the same account', async ({
  page,
}) => {
  await page.setViewportSize(mobile);
  const phone = freshPhone();
  const nickname = `微信测试${phone.slice(-4)}`;

  await page.goto('/auth/sign-in');
  await expect(page.getByText('其他登录方式')).toBeVisible();
  await shot(page, 'sign-in');
  await page.getByRole('link', { name: '微信登录' }).click();

  // WeChat's QR page, played by the simulator: create a WeChat user and confirm.
  await expect(page).toHaveURL(/:55421\/_dev\/wechat\/open\/connect\/qrconnect\?appid=wx/);
  await expect(page.getByRole('heading', { name: '微信登录' })).toBeVisible();
  await page.getByLabel('昵称').fill(nickname);
  await shot(page, 'wechat-simulator');
  await page.getByRole('button', { name: '新建并确认登录' }).click();

  // First time: a phone number (SMS code) finishes the account.
  await expect(page).toHaveURL('/auth/bind-phone');
  await expect(page.getByRole('heading', { name: '绑定手机号' })).toBeVisible();
  await expect(page.getByText(`微信用户「${nickname}」`)).toBeVisible();
  await page.getByLabel('手机号', { exact: true }).fill(phone);
  const sentAt = new Date();
  await page.getByRole('button', { name: '获取验证码' }).click();
  await expect(page.getByText(`验证码已发送至 ${masked(phone)}`)).toBeVisible();
  await page.getByLabel('验证码', { exact: true }).fill(await smsCode(phone, sentAt));
  await shot(page, 'bind-phone');
  await page.getByRole('button', { name: '完成并登录' }).click();

  // A new account: its name, then home, signed in.
  await expect(page).toHaveURL(/\/auth\/welcome/);
  await page.getByLabel('姓名').fill('吴微信');
  await page.getByRole('button', { name: '完成' }).click();
  await expect(page).toHaveURL('/');

  await page.goto('/me');
  await page.getByRole('link', { name: '账号绑定' }).click();
  await expect(page).toHaveURL('/me/accounts');
  await expect(page.getByText(masked(phone))).toBeVisible();
  await expect(page.getByText(nickname)).toBeVisible();
  await expect(page.getByRole('button', { name: '解绑 微信' })).toBeEnabled();
  await shot(page, 'accounts');

  // Sign out, then WeChat again: the same WeChat user lands in the same account.
  await page.goto('/auth/sign-out');
  await page.getByRole('button', { name: '退出当前设备' }).click();
  await expect(page).toHaveURL(/\/auth\/sign-in\?signedOut=local/);
  await page.getByRole('link', { name: '微信登录' }).click();
  await expect(page.getByRole('button', { name: new RegExp(nickname) })).toBeVisible();
  await shot(page, 'wechat-simulator-returning');
  await page.getByRole('button', { name: new RegExp(nickname) }).click();
  await expect(page).toHaveURL('/');
  await page.goto('/me');
  await expect(page.getByText('吴微信')).toBeVisible();
  await expect(page.getByText(masked(phone))).toBeVisible();
  await shot(page, 'signed-in-again');
});

test('a signed-in user binds QQ on the linked-accounts page and unbinds it again', async ({ page }) => {
  await page.setViewportSize(mobile);
  const phone = freshPhone();
  const nickname = `QQ测试${phone.slice(-4)}`;

  // An account made the ordinary way: phone sign-up.
  await page.goto('/auth/sign-up');
  await page.getByLabel('手机号', { exact: true }).fill(phone);
  const sentAt = new Date();
  await page.getByRole('button', { name: '获取验证码' }).click();
  await page.getByLabel('验证码', { exact: true }).fill(await smsCode(phone, sentAt));
  await page.getByRole('button', { name: '注册并登录' }).click();
  await page.getByLabel('姓名').fill('邱绑定');
  await page.getByRole('button', { name: '完成' }).click();
  await expect(page).toHaveURL('/');

  await page.goto('/me/accounts');
  await page.getByRole('button', { name: '绑定 QQ' }).click();
  await expect(page).toHaveURL(/:55421\/_dev\/qq\/oauth2\.0\/authorize\?response_type=code/);
  await page.getByLabel('昵称').fill(nickname);
  await page.getByRole('button', { name: '新建并确认登录' }).click();

  await expect(page).toHaveURL('/me/accounts?linked=qq');
  await expect(page.getByText('已绑定QQ')).toBeVisible();
  await expect(page.getByText(nickname)).toBeVisible();
  await shot(page, 'accounts-qq-bound');

  await page.getByRole('button', { name: '解绑 QQ' }).click();
  await expect(page).toHaveURL('/me/accounts?unlinked=qq');
  await expect(page.getByText('已解绑QQ')).toBeVisible();
  await expect(page.getByRole('button', { name: '绑定 QQ' })).toBeVisible();
});
