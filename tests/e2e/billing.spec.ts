import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { expect, test } from './fixtures';

/**
 * Billing end to end: staff publish the month's bills, the resident 张伟 (翠湖花园 1栋1单元101)
 * pays two of them in the local payments sandbox (WeChat Pay, confirmed asynchronously by a
 * webhook signed like Stripe's), downloads the e-receipt PDF, and staff see them paid.
 */

/** Staff set up a fee item and its first rule version on the 收费项目 page. */
async function createFeeItem(
  page: Page,
  item: { name: string; kind: string; method: string; price: string; lateFeeBp?: string; graceDays?: string },
) {
  const newItem = page.locator('form').filter({ has: page.getByRole('heading', { name: '新增收费项目' }) });
  await newItem.getByLabel('名称').fill(item.name);
  await newItem.getByLabel('类型').selectOption({ label: item.kind });
  await newItem.getByRole('button', { name: '新增收费项目' }).click();
  const card = page.getByRole('listitem').filter({ hasText: item.name });
  await expect(card.getByText('尚未设置收费标准')).toBeVisible();
  await card.getByLabel('生效月份').fill('2026-01');
  await card.getByLabel('计费方式').selectOption({ label: item.method });
  await card.getByLabel('单价（元）').fill(item.price);
  if (item.lateFeeBp) await card.getByLabel('滞纳金：每日万分之').fill(item.lateFeeBp);
  if (item.graceDays) await card.getByLabel('宽限天数').fill(item.graceDays);
  await card.getByRole('button', { name: '新增收费标准版本' }).click();
  await expect(card.getByText('2026-01')).toBeVisible();
}

async function pdfText(file: string): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(fs.readFileSync(file)), isEvalSupported: false })
    .promise;
  const page = await doc.getPage(1);
  const content = await page.getTextContent();
  return content.items.map((i) => ('str' in i ? i.str : '')).join('');
}

test('a resident pays two bills in the sandbox, downloads the receipt, and staff see them paid', async ({
  page,
  login,
}) => {
  test.setTimeout(120_000);
  const suffix = `E2E${Date.now().toString(36).slice(-5).toUpperCase()}`;
  const names = { property: `物业费${suffix}`, garbage: `垃圾费${suffix}` };

  // Staff publish this month's bills for 翠湖花园.
  // One browser context; signing in again switches the person (the session cookies are replaced).
  const staff = page;
  const resident = page;
  await login({ as: 'staff' });
  await staff.goto('/office/billing/items');
  await createFeeItem(staff, {
    name: names.property,
    kind: '物业费',
    method: '按建筑面积（元/m²·月）',
    price: '2.50',
    lateFeeBp: '5',
    graceDays: '30',
  });
  await createFeeItem(staff, { name: names.garbage, kind: '垃圾费', method: '每户固定', price: '15' });
  await staff.goto('/office/billing/runs');
  await expect(staff.getByRole('cell', { name: names.property }).first()).toBeVisible();
  await staff.getByRole('button', { name: '发布账单' }).click();
  await expect(staff.getByRole('status').filter({ hasText: '已发布：新增' })).toBeVisible();

  // The resident pays exactly these two bills.
  await login({ as: 'resident' });
  await resident.setViewportSize({ width: 390, height: 844 });
  await resident.goto('/bills');
  const unpaid = resident.getByRole('list', { name: '待缴账单' });
  await expect(unpaid.getByText(names.property, { exact: true })).toBeVisible();
  for (const box of await unpaid.getByRole('checkbox').all()) {
    if (await box.isEnabled()) await box.uncheck();
  }
  await unpaid.getByRole('checkbox', { name: new RegExp(`^${names.property}`) }).check();
  await unpaid.getByRole('checkbox', { name: new RegExp(`^${names.garbage}`) }).check();
  await expect(resident.getByText('已选 2 笔，合计')).toBeVisible();
  // 89.5 m² × 2.50 + 15.00 (no late fee within the 30 grace days).
  await expect(resident.getByText('¥238.75')).toBeVisible();
  await resident.getByRole('button', { name: '立即缴费' }).click();

  // The sandbox checkout (a Stripe-compatible fake served by the payments-sandbox function).
  await expect(resident).toHaveURL(/\/functions\/v1\/payments-sandbox\/checkout\/cs_test_/);
  await expect(resident.getByText('¥238.75').first()).toBeVisible();
  await resident.getByLabel('微信支付').check();
  await resident.getByRole('button', { name: /确认支付/ }).click();

  // Back in the app: only the webhook marks the bills paid; the page waits for it.
  await expect(resident).toHaveURL(/\/bills\/return\?intent=/);
  await expect(resident.getByRole('heading', { name: '缴费成功' })).toBeVisible({ timeout: 20_000 });
  await resident.getByRole('link', { name: '查看凭证' }).click();
  await expect(resident.getByRole('article', { name: '电子缴费凭证' })).toContainText('贰佰叁拾捌元柒角伍分');
  const receiptNo = (
    await resident
      .getByRole('article')
      .getByText(/^R\d{12}$/)
      .textContent()
  )?.trim();
  expect(receiptNo).toMatch(/^R\d{12}$/);

  const [download] = await Promise.all([
    resident.waitForEvent('download'),
    resident.getByRole('link', { name: '下载 PDF' }).click(),
  ]);
  const file = test.info().outputPath('receipt.pdf');
  await download.saveAs(file);
  const text = await pdfText(file);
  for (const expected of [
    '电子缴费凭证',
    receiptNo as string,
    '张伟',
    '翠湖花园',
    '1栋1单元101',
    names.property,
    names.garbage,
    '微信支付',
    '¥238.75',
    '贰佰叁拾捌元柒角伍分',
    '安居物业服务有限公司',
    '财务专用章',
  ]) {
    expect(text, `receipt PDF contains ${expected}`).toContain(expected);
  }

  // Paying again is not possible: the bills are gone from the unpaid list.
  await resident.goto('/bills');
  await expect(
    resident.getByRole('list', { name: '待缴账单' }).getByText(names.property, { exact: true }),
  ).toHaveCount(0);

  // Staff see them paid, in the bill list and in the collection report.
  await login({ as: 'staff' });
  await staff.setViewportSize({ width: 1280, height: 900 });
  await staff.goto('/office/billing/bills?status=paid&q=101');
  const paidRows = staff.getByRole('row').filter({ hasText: '1栋1单元101' });
  await expect(paidRows.filter({ hasText: names.property })).toContainText('已缴');
  await expect(paidRows.filter({ hasText: names.garbage })).toContainText('已缴');
  await staff.goto('/office/billing/reports');
  const byKind = staff.getByRole('table', { name: '按收费类型' });
  await expect(byKind.getByRole('row', { name: /物业费/ })).toBeVisible();
  await expect(staff.getByTestId('collection-rate')).toHaveText(/%$/);
  await staff.goto('/office/billing/payments');
  await expect(staff.getByRole('row').filter({ hasText: receiptNo as string })).toContainText('微信支付');
});
