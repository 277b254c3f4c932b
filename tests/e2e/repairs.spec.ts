import zlib from 'node:zlib';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { demoPassword, expect, isBenignConsoleError, personas, signInContext, test } from './fixtures';

/**
 * Repairs end to end, three people in three browser contexts:
 * a resident reports a leak with a photo → the office dispatches it → the technician shares
 * their location and starts → the resident's open page follows every step live (never
 * reloaded) → the technician finishes with a photo → the resident rates the work.
 * Screenshots of each step: artifacts/screenshots/repairs-*.png.
 */

const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 900 };
/** The community office of 翠湖花园 and where the technician is when he sets out (~1.1 km north-east). */
const office = { latitude: 30.2741, longitude: 120.1551 };
const onTheWay = { latitude: 30.2822, longitude: 120.1622 };

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `artifacts/screenshots/repairs-${name}.png` });

/** A small PNG photo (a colour gradient), as a phone camera file would arrive in the file input. */
function photo(seed: number): { name: string; mimeType: string; buffer: Buffer } {
  const width = 96;
  const height = 72;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) {
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw[o] = (x * 2 + seed * 40) & 0xff;
      raw[o + 1] = (y * 3) & 0xff;
      raw[o + 2] = (160 + seed * 30) & 0xff;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return { name: `photo-${seed}.png`, mimeType: 'image/png', buffer: png };
}

async function personContext(
  browser: Browser,
  baseURL: string,
  who: keyof typeof personas,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ ...options, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await signInContext(context, baseURL, personas[who].phone, demoPassword);
  return context;
}

/** Fails on console errors in contexts this test opens itself (the fixture watches only the default one). */
function watchErrors(context: BrowserContext, errors: string[]) {
  context.on('console', (m) => {
    if (m.type() === 'error' && !isBenignConsoleError(m.text()))
      errors.push(`${m.page()?.url()}: ${m.text()}`);
  });
  context.on('weberror', (e) => {
    errors.push(`${e.page()?.url()}: ${e.error().message}`);
  });
}

test('a repair from report to rating, live across resident, office and technician', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  const residentContext = await personContext(browser, baseURL!, 'resident', { viewport: phone });
  const officeContext = await personContext(browser, baseURL!, 'staff', { viewport: desktop });
  const technicianContext = await personContext(browser, baseURL!, 'technician', {
    viewport: phone,
    geolocation: onTheWay,
    permissions: ['geolocation'],
  });
  for (const c of [residentContext, officeContext, technicianContext]) watchErrors(c, errors);
  const resident = await residentContext.newPage();
  const staff = await officeContext.newPage();
  const technician = await technicianContext.newPage();

  // The office sets where the community is, so residents see the technician's distance.
  await staff.goto('/office/repairs/settings');
  const community = staff.getByLabel('小区').first();
  await community.selectOption({ label: '翠湖花园' });
  const position = staff.getByRole('form', { name: '小区位置' });
  await expect(position.locator('input[name="communityId"]')).toHaveValue(await community.inputValue());
  await position.getByLabel('纬度').fill(String(office.latitude));
  await position.getByLabel('经度').fill(String(office.longitude));
  await position.getByRole('button', { name: '保存' }).click();
  await expect(position.getByText('已保存')).toBeVisible();

  // The office keeps its queue open: a new report arrives live.
  await staff.goto('/office/repairs');
  // Joining the private topics waits for the platform's first authorisation on a cold start.
  await expect(staff.locator('[data-live="live"]')).toBeVisible({ timeout: 20_000 });

  // 1. The resident reports a leak with a photo, from the phone.
  await resident.goto('/repairs');
  await resident.getByRole('link', { name: '我要报修' }).first().click();
  await expect(resident).toHaveURL('/repairs/new');
  await expect(resident.getByRole('heading', { name: '报修', exact: true })).toBeVisible();
  await resident.getByText('水电', { exact: true }).click();
  await resident.getByLabel('故障描述').fill('厨房水龙头一直滴水，关不紧');
  await resident.getByLabel('添加照片').setInputFiles([photo(1)]);
  await expect(resident.locator('[data-upload-state="done"]')).toHaveCount(1);
  await resident.getByLabel('期望时段').selectOption('morning');
  await shot(resident, '1-report-form');
  await resident.getByRole('button', { name: '提交报修' }).click();
  await expect(resident).toHaveURL(/\/repairs\/[0-9a-f-]{36}$/);
  const ticketUrl = resident.url();
  await expect(resident.getByText('待受理').first()).toBeVisible();
  await expect(resident.getByRole('list', { name: '照片和视频' }).getByRole('img')).toHaveCount(1);
  await expect(resident.locator('[data-live="live"]')).toBeVisible({ timeout: 20_000 });
  // From here on the resident's page is never reloaded: a marker in the page would not survive one.
  await resident.evaluate(() => {
    (window as unknown as { __notReloaded: boolean }).__notReloaded = true;
  });
  await shot(resident, '2-submitted');

  // 2. The office sees it arrive live and dispatches it to 赵师傅, seeing each technician's load.
  const alert = staff.getByRole('status').filter({ hasText: '新报修' });
  await expect(alert).toBeVisible();
  await alert.getByRole('link', { name: '查看' }).click();
  await expect(staff.getByRole('heading', { level: 1 })).toHaveText(/^BX\d{6}-\d{6}$/);
  const dispatch = staff.getByRole('form', { name: '派单' });
  await dispatch.getByRole('radio', { name: /赵师傅/ }).check();
  await shot(staff, '3-office-dispatch');
  await dispatch.getByRole('button', { name: '派单' }).click();
  await expect(staff.getByText('已派单').first()).toBeVisible();

  // The resident's page shows the technician (name, call button) without a reload.
  await expect(resident.getByTestId('technician-card')).toContainText('赵师傅');
  await expect(resident.getByRole('link', { name: /拨打 赵师傅 的电话/ })).toHaveAttribute(
    'href',
    'tel:+8613800000015',
  );

  // 3. The technician opens the task on the phone and shares the location on the way.
  await technician.goto('/office/tasks');
  const ticketId = ticketUrl.split('/').pop();
  await expect(technician.getByRole('link', { name: /厨房水龙头一直滴水/ }).first()).toBeVisible();
  await technician.locator(`a[href="/office/tasks/${ticketId}"]`).click();
  await technician.getByRole('button', { name: '共享我的位置' }).click();
  await expect(technician.getByText('正在共享位置')).toBeVisible();
  const location = resident.getByTestId('technician-location');
  await expect(location).toContainText('维修师傅正在赶来');
  await expect(location).toContainText(/距离约 1\.\d km · 预计 \d+ 分钟到达/);
  await shot(resident, '4-technician-on-the-way');

  // 4. The technician starts work; location sharing ends and the resident's page follows live.
  await technician.getByRole('button', { name: '开始维修' }).click();
  await expect(technician.getByText('维修中').first()).toBeVisible();
  await expect(resident.getByText('维修中').first()).toBeVisible();
  await expect(location).toHaveCount(0);
  await shot(resident, '5-in-progress');

  // 5. The technician finishes with a photo of the work and the materials used.
  const complete = technician.getByRole('form', { name: '完成维修' });
  await complete.getByLabel('维修说明').fill('更换水龙头阀芯，已测试不漏水');
  await complete.getByLabel('使用材料').fill('陶瓷阀芯 1 个');
  await complete.getByLabel('添加照片').setInputFiles([photo(2)]);
  await expect(complete.locator('[data-upload-state="done"]')).toHaveCount(1);
  await shot(technician, '6-technician-complete');
  await complete.getByRole('button', { name: '提交完工' }).click();
  await expect(technician.getByText('已完成').first()).toBeVisible();

  await expect(resident.getByText('已完成').first()).toBeVisible();
  await expect(resident.getByText('更换水龙头阀芯，已测试不漏水')).toBeVisible();
  await expect(resident.getByText('陶瓷阀芯 × 1个')).toBeVisible();
  await shot(resident, '7-completed');

  // 6. The resident rates speed, quality and attitude.
  const rate = resident.getByRole('form', { name: '评价本次维修' });
  for (const aspect of ['维修速度', '维修质量', '服务态度']) {
    await rate
      .getByRole('group', { name: aspect })
      .getByRole('radio', { name: '5 星' })
      .check({ force: true });
  }
  await rate.getByLabel('评价内容').fill('师傅很准时，修得也好');
  await rate.getByRole('button', { name: '提交评价' }).click();
  await expect(resident.getByText('已评价').first()).toBeVisible();
  await expect(resident.getByText('师傅很准时，修得也好')).toBeVisible();
  expect(
    await resident.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded),
  ).toBe(true);
  expect(resident.url()).toBe(ticketUrl);
  await shot(resident, '8-rated');

  // The office sees the whole history, and the rating counts on the monitoring page.
  await staff.reload();
  await expect(staff.getByRole('list', { name: '处理记录' })).toContainText('已评价');
  await shot(staff, '9-office-history');
  await staff.goto('/office/repairs/dashboard');
  await expect(staff.getByRole('heading', { name: '维修人员绩效' })).toBeVisible();
  await expect(staff.getByRole('row', { name: /赵师傅/ })).toBeVisible();
  await shot(staff, '10-dashboard');

  for (const c of [residentContext, officeContext, technicianContext]) await c.close();
  expect(errors, 'unexpected errors in the browser').toEqual([]);
});
