import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/**
 * Prepayment and partial refunds end to end: staff open 物业费 for prepayment with the offers
 * "6 months −3 %" and "12 for 11"; the resident 张伟 (翠湖花园 1栋1单元101, 89.5 m²) prepays 12
 * months in the local payments sandbox; the e-receipt shows the discount; staff refund part of
 * one prepaid month through the refund dialog and see the payment partly refunded.
 */

async function createPrepayItem(page: Page, name: string) {
  const newItem = page.locator('form').filter({ has: page.getByRole('heading', { name: '新增收费项目' }) });
  await newItem.getByLabel('名称').fill(name);
  await newItem.getByLabel('类型').selectOption({ label: '物业费' });
  await newItem.getByRole('button', { name: '新增收费项目' }).click();
  const card = page.getByRole('listitem').filter({ hasText: name });
  await expect(card.getByText('尚未设置收费标准')).toBeVisible();
  // The version in force today (January: always before today) prices every prepaid month.
  await card.getByLabel('生效月份').fill(`${new Date().getUTCFullYear()}-01`);
  await card.getByLabel('计费方式').selectOption({ label: '按建筑面积（元/m²·月）' });
  await card.getByLabel('单价（元）').fill('2.50');
  await card.getByLabel(/^预缴优惠/).fill('6:3%\n12:送1');
  await card.getByRole('button', { name: '新增收费标准版本' }).click();
  await expect(card.getByText('预缴优惠（12个月送1个月）')).toBeVisible();
  await card.getByLabel('最多可预缴月数（0 为不开放）').fill('12');
  await card.getByRole('button', { name: '保存' }).click();
  await expect(card.getByText('可预缴 12 个月')).toBeVisible();
}

test('a resident prepays 12 months with "12 for 11" in the sandbox; staff refund part of it', async ({
  page,
  login,
}) => {
  test.setTimeout(120_000);
  const name = `物业费预缴${Date.now().toString(36).slice(-5).toUpperCase()}`;

  await login({ as: 'staff' });
  await page.goto('/office/billing/items');
  await createPrepayItem(page, name);

  // The resident chooses the item and 12 months; the server prices it.
  await login({ as: 'resident' });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/bills');
  await page.getByRole('link', { name: '预缴费用' }).click();
  await expect(page).toHaveURL(/\/bills\/prepay/);
  const unitSelect = page.getByLabel('房屋');
  if (await unitSelect.count()) await unitSelect.selectOption({ label: '翠湖花园 1栋1单元101' });
  await page.getByRole('radio', { name: new RegExp(name) }).check();
  await page.getByLabel('预缴月数').selectOption({ label: '12 个月' });
  const quote = page.getByTestId('prepay-quote');
  // 89.5 m² × 2.50 = 223.75 a month; 12 months 2,685.00; one month free: 2,461.25.
  await expect(quote).toContainText('预缴优惠（12个月送1个月）');
  await expect(quote).toContainText('¥2,685.00');
  await expect(quote).toContainText('-¥223.75');
  await expect(quote).toContainText('¥2,461.25');
  // Screenshots of the steps are kept with the run's artifacts (test-results/).
  await page.screenshot({ path: test.info().outputPath('1-resident-prepay-quote.png'), fullPage: true });
  await page.getByRole('button', { name: '立即预缴' }).click();

  // The sandbox checkout (Stripe-compatible fake) asks for exactly the net amount.
  await expect(page).toHaveURL(/\/functions\/v1\/payments-sandbox\/checkout\/cs_test_/);
  await expect(page.getByText('¥2461.25').first()).toBeVisible();
  await page.getByLabel('银行卡').check();
  await page.getByRole('button', { name: /确认支付/ }).click();
  await expect(page).toHaveURL(/\/bills\/return\?intent=/);
  await expect(page.getByRole('heading', { name: '缴费成功' })).toBeVisible({ timeout: 20_000 });
  await page.getByRole('link', { name: '查看凭证' }).click();
  const receipt = page.getByRole('article', { name: '电子缴费凭证' });
  await expect(receipt.getByTestId('receipt-discount')).toHaveText('预缴优惠（12个月送1个月）：-¥223.75');
  await expect(receipt).toContainText('贰仟肆佰陆拾壹元贰角伍分');
  const receiptNo = (await receipt.getByText(/^R\d{12}$/).textContent())?.trim() as string;
  await page.screenshot({ path: test.info().outputPath('2-resident-receipt.png'), fullPage: true });

  // Staff refund 50.00 of the first prepaid month through the dialog.
  await login({ as: 'staff' });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/office/billing/payments');
  const row = page.getByRole('row').filter({ hasText: receiptNo });
  await row.getByRole('button', { name: '退款' }).click();
  const dialog = page.getByRole('dialog', { name: `退款 · ${receiptNo}` });
  await expect(dialog).toContainText('已付 ¥2,461.25，可退 ¥2,461.25');
  await dialog
    .getByRole('textbox', { name: /^退款金额（元）/ })
    .first()
    .fill('50');
  await dialog.getByLabel('退款原因').fill('电梯维修停运，退部分物业费');
  await dialog.getByRole('button', { name: '确认退款' }).click();
  await expect(dialog.getByRole('status')).toHaveText('已退款 ¥50.00');
  await expect(dialog).toContainText('已付 ¥2,461.25，可退 ¥2,411.25');
  await expect(dialog.getByRole('link', { name: /^退款凭证 T\d{12}$/ })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('3-office-partial-refund.png') });
  await page.keyboard.press('Escape');
  await expect(row).toContainText('部分退款 · 已退 ¥50.00');

  // The resident's receipt lists the refund.
  await login({ as: 'resident' });
  await page.goto('/bills/payments');
  await page.getByText(receiptNo).first().click();
  await expect(page.getByRole('article', { name: '电子缴费凭证' })).toContainText('部分退款');
  await expect(page.getByRole('list', { name: '退款记录' })).toContainText('退款 ¥50.00');
});

test('the front desk takes 6 months ahead in cash with the 3 % offer and prints the receipt', async ({
  page,
  login,
}) => {
  test.setTimeout(90_000);
  const name = `物业费前台${Date.now().toString(36).slice(-5).toUpperCase()}`;
  await login({ as: 'staff' });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/office/billing/items');
  await createPrepayItem(page, name);

  await page.getByRole('link', { name: '预缴', exact: true }).click();
  await page.getByLabel('房屋（楼栋/房号）').fill('101');
  await page.getByRole('button', { name: '查找' }).click();
  await page.getByRole('list', { name: '房屋' }).getByRole('link', { name: '1栋1单元101' }).first().click();
  const unit = page.getByRole('region', { name: '1栋1单元101' });
  await unit
    .getByLabel('收费项目')
    .selectOption({ label: `${name}（预缴优惠（6个月减3%）；预缴优惠（12个月送1个月））` });
  await unit.getByLabel('预缴月数').selectOption({ label: '6 个月' });
  // 6 × 223.75 = 1,342.50; 3 % off = 40.28 (40.275 rounded half-up); 1,302.22 to pay.
  const quote = unit.getByTestId('prepay-quote');
  await expect(quote).toContainText('预缴优惠（6个月减3%）');
  await expect(quote).toContainText('-¥40.28');
  await expect(quote).toContainText('¥1,302.22');
  const range = await quote.locator('dt').first().textContent();
  await unit.getByLabel('缴费人').fill('张伟');
  await unit.getByLabel('支付方式').selectOption({ label: '现金' });
  await unit.getByRole('button', { name: '收款并出凭证' }).click();
  // Scoped by its text: a live notification toast is a status too.
  const done = page.getByRole('status').filter({ hasText: '已收预缴款' });
  await expect(done).toContainText(/已收预缴款，凭证号 R\d{12}/);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    done.getByRole('link', { name: '下载 PDF' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^R\d{12}\.pdf$/);
  // Those months are now prepaid: the next quote starts after them.
  await expect(quote.locator('dt').first()).not.toHaveText(range ?? '');
  await expect(quote).toContainText('¥1,302.22');
});
