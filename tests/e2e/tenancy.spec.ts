import ExcelJS from 'exceljs';
import { createAccount, demoPassword, expect, newPhone, signInContext, test } from './fixtures';

/**
 * Tenancy screens end to end (issue #4 part 7): a resident asks to bind a unit, the front desk
 * approves it in the verification queue, the resident sees the home; a company admin imports a
 * units sheet with one bad row (report, nothing imported), fixes it, and imports.
 * Every run uses fresh names, so runs on the same e2e data folder do not interfere.
 */

const frontDesk = '13800000014'; // 陈静, 翠湖花园 front desk (resident.verify)
const companyAdmin = '13800000011'; // 周建国, company admin
const platformOwner = '13800000001';
const phone = { width: 390, height: 844 };
const shot = (name: string) => `artifacts/screenshots/tenancy-${name}.png`;
// A 1×1 PNG as the proof photo.
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

async function unitsSheet(rows: (string | number)[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('房屋');
  sheet.addRow(['楼栋', '单元', '楼层', '房号', '建筑面积', '用途', '备注']);
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

test('a resident binds a unit, the front desk approves it, the resident sees the home', async ({
  browser,
  baseURL,
}) => {
  const stamp = Date.now().toString(36).slice(-5);
  const residentPhone = newPhone();
  const applicant = `测试住户${stamp}`;
  await createAccount({ phone: residentPhone, password: demoPassword, name: applicant });
  const building = 1 + Math.floor(Math.random() * 12);
  const entrance = 1 + Math.floor(Math.random() * 2);
  const number = String((2 + Math.floor(Math.random() * 16)) * 100 + 1 + Math.floor(Math.random() * 4));
  const address = `${building}栋${entrance}单元${number}`;

  // Resident, on a phone.
  const residentContext = await browser.newContext({ viewport: phone, locale: 'zh-CN', timezoneId: 'UTC' });
  await signInContext(residentContext, baseURL!, residentPhone, demoPassword);
  const resident = await residentContext.newPage();
  await resident.goto('/me');
  await resident.getByRole('link', { name: '我的房屋' }).click();
  await expect(resident.getByText('还没有绑定房屋')).toBeVisible();
  await resident.getByRole('link', { name: '绑定房屋' }).click();
  await resident.getByLabel('搜索小区').fill('翠湖');
  await resident.getByLabel('搜索小区').press('Enter');
  await resident.getByRole('link', { name: /翠湖花园/ }).click();
  await resident.getByLabel('楼栋').selectOption({ label: `${building}栋` });
  await resident.getByLabel('单元', { exact: true }).selectOption({ label: `${entrance}单元` });
  await resident.getByLabel('房号').fill(number);
  await resident.getByLabel('您与房屋的关系').selectOption({ label: '业主' });
  await resident
    .getByLabel('证明材料（选填）')
    .setInputFiles({ name: 'deed.png', mimeType: 'image/png', buffer: png });
  await resident.screenshot({ path: shot('bind-form'), fullPage: true });
  await resident.getByRole('button', { name: '提交申请' }).click();
  await expect(resident.getByRole('status').filter({ hasText: '已提交' })).toBeVisible();
  await expect(resident.getByText(`翠湖花园 ${address}`)).toBeVisible();
  await expect(resident.getByText('审核中')).toBeVisible();
  await resident.screenshot({ path: shot('bind-submitted'), fullPage: true });

  // Front desk, on a desktop.
  const deskContext = await browser.newContext({ locale: 'zh-CN', timezoneId: 'UTC' });
  await signInContext(deskContext, baseURL!, frontDesk, demoPassword);
  const desk = await deskContext.newPage();
  await desk.goto('/office/residents');
  await desk.getByRole('link', { name: /认证审核/ }).click();
  const card = desk.getByRole('listitem').filter({ has: desk.getByLabel(`${applicant} ${address}`) });
  await expect(card).toBeVisible();
  await expect(card.getByRole('img', { name: '证明材料' })).toBeVisible();
  await desk.screenshot({ path: shot('office-verification-queue'), fullPage: true });
  await card.getByRole('button', { name: '通过' }).click();
  await expect(desk.getByRole('status').filter({ hasText: `已通过 ${applicant} 的认证` })).toBeVisible();
  await expect(desk.getByLabel(`${applicant} ${address}`)).toHaveCount(0);

  // The directory finds the new resident by room number.
  await desk.getByRole('link', { name: '住户名录' }).click();
  await desk.getByLabel('姓名、房号或手机尾号').fill(number);
  await desk.getByRole('button', { name: '搜索' }).click();
  await expect(desk.getByRole('row').filter({ hasText: applicant })).toBeVisible();
  await desk.screenshot({ path: shot('office-directory'), fullPage: true });

  // The resident now sees the home.
  await resident.goto('/me/units');
  const home = resident.getByLabel(`翠湖花园 ${address}`);
  await expect(home).toBeVisible();
  await expect(home.getByText('我的身份：业主')).toBeVisible();
  await resident.screenshot({ path: shot('my-units'), fullPage: true });
  await resident.goto('/me');
  await resident.screenshot({ path: shot('me'), fullPage: true });
  await residentContext.close();
  await deskContext.close();
});

test('a company admin imports units: a bad row blocks the whole sheet, the fixed sheet imports', async ({
  page,
  context,
  baseURL,
}) => {
  const building = `E2E${Date.now().toString(36).slice(-6)}`;
  await signInContext(context, baseURL!, companyAdmin, demoPassword);
  await page.goto('/office/houses');
  await page.getByRole('link', { name: /金桂苑/ }).click();
  await expect(page.getByRole('link', { name: /金桂苑/ })).toHaveAttribute('aria-current', 'page');
  await page.getByRole('link', { name: '导入房屋' }).click();
  await expect(page.getByRole('heading', { name: '导入房屋' })).toBeVisible();
  await expect(page.getByLabel('导入到小区').locator('option:checked')).toHaveText('金桂苑');

  const bad = await unitsSheet([
    [building, 1, 1, '101', 89.5, '住宅', ''],
    [building, 1, 'abc', '102', 89.5, '住宅', ''],
    [building, 1, 2, '201', 120, '商铺', '临街'],
  ]);
  await page.getByLabel('Excel 文件（.xlsx）').setInputFiles({
    name: 'units.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: bad,
  });
  await page.getByRole('button', { name: '校验并导入' }).click();
  await expect(page.getByRole('alert')).toContainText('发现 1 个问题，未导入任何数据');
  const problem = page.getByRole('row').filter({ hasText: '楼层应为 -10 到 200 的整数' });
  await expect(problem.getByRole('cell').first()).toHaveText('3');
  await expect(problem.getByRole('cell').nth(1)).toHaveText('楼层');
  await page.screenshot({ path: shot('import-report'), fullPage: true });

  // Nothing was imported: the building does not exist.
  await page.locator('a[href^="/office/houses?community="]').filter({ hasText: '房屋' }).click();
  await expect(page.getByRole('link', { name: /金桂苑/ })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('link', { name: building })).toHaveCount(0);

  await page.getByRole('link', { name: '导入房屋' }).click();
  const good = await unitsSheet([
    [building, 1, 1, '101', 89.5, '住宅', ''],
    [building, 1, 1, '102', 89.5, '住宅', ''],
    [building, 1, 2, '201', 120, '商铺', '临街'],
  ]);
  await page.getByLabel('Excel 文件（.xlsx）').setInputFiles({
    name: 'units.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: good,
  });
  await page.getByRole('button', { name: '校验并导入' }).click();
  const report = page.getByRole('status').filter({ hasText: '新增 3 套' });
  await expect(report).toContainText('新建楼栋 1 栋');
  await page.screenshot({ path: shot('import-done'), fullPage: true });

  await page.locator('a[href^="/office/houses?community="]').filter({ hasText: '房屋' }).click();
  await expect(page.getByRole('link', { name: /金桂苑/ })).toHaveAttribute('aria-current', 'page');
  await page.getByRole('link', { name: building }).click();
  await expect(page.getByRole('heading', { name: `${building} · 房屋 (3)` })).toBeVisible();
  await page.screenshot({ path: shot('office-houses'), fullPage: true });

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: '导出 Excel' }).click();
  const exported = new ExcelJS.Workbook();
  await exported.xlsx.readFile(await (await download).path());
  const numbers: string[] = [];
  exported.worksheets[0].eachRow((row) => {
    if (row.getCell(1).value === building) numbers.push(String(row.getCell(4).value));
  });
  expect(numbers.sort()).toEqual(['101', '102', '201']);
});

test('staff, role templates and the console lists render for their personas', async ({
  browser,
  baseURL,
}) => {
  const office = await browser.newContext({ locale: 'zh-CN', timezoneId: 'UTC' });
  await signInContext(office, baseURL!, companyAdmin, demoPassword);
  const page = await office.newPage();
  await page.goto('/office/staff');
  await expect(page.getByRole('row').filter({ hasText: '陈静' })).toContainText('前台客服');
  await page.screenshot({ path: shot('office-staff'), fullPage: true });
  await page.getByRole('link', { name: '权限模板' }).click();
  await expect(page.getByText('系统角色，权限不可修改').first()).toBeVisible();
  await expect(page.getByRole('checkbox', { name: '审核房屋认证' }).first()).toBeVisible();
  await page.screenshot({ path: shot('office-roles'), fullPage: true });
  await office.close();

  const consoleContext = await browser.newContext({ locale: 'zh-CN', timezoneId: 'UTC' });
  await signInContext(consoleContext, baseURL!, platformOwner, demoPassword);
  const consolePage = await consoleContext.newPage();
  await consolePage.goto('/console/companies');
  await expect(consolePage.getByRole('row').filter({ hasText: '安居物业服务有限公司' })).toBeVisible();
  await consolePage.screenshot({ path: shot('console-companies'), fullPage: true });
  await consolePage.getByRole('link', { name: '安居物业服务有限公司' }).click();
  await expect(consolePage.getByRole('row').filter({ hasText: '翠湖花园' })).toBeVisible();
  await consolePage.screenshot({ path: shot('console-communities'), fullPage: true });
  await consoleContext.close();
});
