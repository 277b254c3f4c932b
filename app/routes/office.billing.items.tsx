import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { Field, FormErrors, SubmitButton } from '~/components/forms';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { billingCycles, feeKinds, monthSchema, unitUses } from '~/modules/billing/billing.schema';
import {
  addRuleVersion,
  createFeeItem,
  type FeeItemDto,
  listFeeItems,
  setPrepayMaxMonths,
} from '~/modules/billing/billing.server';
import {
  answerBillingForm,
  type BillingActionData,
  invalidBillingForm,
  requireBillingScope,
  requireCommunity,
} from '~/modules/billing/billing-routes.server';
import { unitPrice } from '~/modules/billing/components/money';
import { prepayOfferLabel } from '~/modules/billing/rules/engine';
import { parseScaled } from '~/modules/billing/rules/money';
import { type FeeRule, type PrepayDiscount, prepayDiscountSchema } from '~/modules/billing/rules/rule.schema';

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, community: picked, headers } = await requireBillingScope(request);
  const community = requireCommunity(picked, headers);
  const items = await withUser(user.claims, (tx) => listFeeItems(tx, community.id), { readOnly: true });
  return data({ items, community }, { headers });
}

const priceText = z
  .string()
  .regex(/^\d{1,7}(\.\d{1,4})?$/, 'billing.error.priceInvalid')
  .transform((v) => Number(parseScaled(v, 4)));
const optionalInt = z
  .string()
  .optional()
  .transform((v) => (v ? Number(v) : undefined))
  .pipe(z.number().int().min(0).max(100_000).optional());

/** "180:5\n260:7\n:9" → tiers (upper bound : price in yuan); the last line has no bound. */
const tiersText = z.string().transform((text, ctx) => {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const tiers: { upTo: number | null; unitPriceE4: number }[] = [];
  for (const line of lines) {
    const m = /^(\d+(?:\.\d{1,3})?)?\s*[:：]\s*(\d{1,7}(?:\.\d{1,4})?)$/.exec(line);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: 'billing.error.tiersInvalid' });
      return z.NEVER;
    }
    tiers.push({ upTo: m[1] ? Number(m[1]) : null, unitPriceE4: Number(parseScaled(m[2], 4)) });
  }
  return tiers;
});

/** "6:3%\n12:5%\n12:送1" → prepay offers (months : percent off, or months : 送 free months). */
const prepayOffersText = z.string().transform((text, ctx) => {
  const offers: PrepayDiscount[] = [];
  for (const line of text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)) {
    const percent = /^(\d{1,2})\s*[:：]\s*(\d{1,2}(?:\.\d{1,2})?)\s*[%％]$/.exec(line);
    const free = /^(\d{1,2})\s*[:：]\s*送\s*(\d{1,2})$/.exec(line);
    const offer = percent
      ? { minMonths: Number(percent[1]), percentOffBp: Math.round(Number(percent[2]) * 100) }
      : free
        ? { minMonths: Number(free[1]), freeMonths: Number(free[2]) }
        : null;
    const parsed = prepayDiscountSchema.safeParse(offer);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: 'billing.error.prepayOffersInvalid' });
      return z.NEVER;
    }
    offers.push(parsed.data);
  }
  if (offers.length > 5) {
    ctx.addIssue({ code: 'custom', message: 'billing.error.prepayOffersInvalid' });
    return z.NEVER;
  }
  return offers;
});

const ruleForm = z
  .object({
    feeItemId: z.string().uuid(),
    effectiveFrom: monthSchema,
    method: z.enum(['fixed', 'area', 'per_space', 'metered']),
    price: z.string().optional(),
    tiers: z.string().optional(),
    tierBasis: z.enum(['monthly', 'annual']).default('monthly'),
    lateFeeBp: optionalInt,
    graceDays: optionalInt,
    capPercent: optionalInt,
    prepayOffers: z.string().optional(),
  })
  .transform((v, ctx): { feeItemId: string; effectiveFrom: string; rule: FeeRule } => {
    const lateFee = v.lateFeeBp
      ? { dailyRateBp: v.lateFeeBp, graceDays: v.graceDays ?? 0, capBp: (v.capPercent ?? 100) * 100 }
      : null;
    const offers = prepayOffersText.safeParse(v.prepayOffers ?? '');
    if (!offers.success) {
      ctx.addIssue({ code: 'custom', path: ['prepayOffers'], message: 'billing.error.prepayOffersInvalid' });
      return z.NEVER;
    }
    const prepayDiscounts = offers.data.length ? offers.data : undefined;
    const common = { proration: 'daily' as const, lateFee, ...(prepayDiscounts ? { prepayDiscounts } : {}) };
    if (v.method === 'metered') {
      const tiers = tiersText.safeParse(v.tiers ?? '');
      if (!tiers.success || tiers.data.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['tiers'], message: 'billing.error.tiersInvalid' });
        return z.NEVER;
      }
      return {
        feeItemId: v.feeItemId,
        effectiveFrom: v.effectiveFrom,
        rule: { method: 'metered', tiers: tiers.data, tierBasis: v.tierBasis, ...common },
      };
    }
    const price = priceText.safeParse(v.price ?? '');
    if (!price.success) {
      ctx.addIssue({ code: 'custom', path: ['price'], message: 'billing.error.priceInvalid' });
      return z.NEVER;
    }
    return {
      feeItemId: v.feeItemId,
      effectiveFrom: v.effectiveFrom,
      rule: { method: v.method, unitPriceE4: price.data, ...common },
    };
  });

export async function action({ request }: ActionFunctionArgs) {
  const { user, community: picked, headers } = await requireBillingScope(request);
  const community = requireCommunity(picked, headers);
  const form = await request.formData();
  const appliesTo = form.getAll('appliesTo').map(String);
  const parsed = parseIntentFormData(form, {
    item: z.object({
      name: z.string().min(1, 'billing.error.nameRequired').max(32),
      kind: z.enum(feeKinds),
      billingCycle: z.enum(billingCycles),
      dueDays: z.coerce.number().int().min(0).max(366),
      billVacant: z.string().optional(),
    }),
    rule: ruleForm,
    prepay: z.object({
      feeItemId: z.string().uuid(),
      prepayMaxMonths: z.coerce
        .number()
        .int('billing.error.prepayMonthsInvalid')
        .min(0, 'billing.error.prepayMonthsInvalid')
        .max(24, 'billing.error.prepayMonthsInvalid'),
    }),
  });
  if (!parsed.ok) return invalidBillingForm(headers, parsed.errors);
  if (parsed.intent === 'prepay') {
    const { feeItemId, prepayMaxMonths } = parsed.data;
    return answerBillingForm(headers, async () => {
      await withUser(user.claims, (tx) => setPrepayMaxMonths(tx, feeItemId, prepayMaxMonths));
      return { key: 'billing.office.items.created' };
    });
  }
  if (parsed.intent === 'item') {
    const v = parsed.data;
    return answerBillingForm(headers, async () => {
      await withUser(user.claims, (tx) =>
        createFeeItem(tx, {
          communityId: community.id,
          name: v.name,
          kind: v.kind,
          billingCycle: v.billingCycle,
          dueDays: v.dueDays,
          billVacant: v.billVacant === 'on',
          appliesTo: (appliesTo.length ? appliesTo : ['residential']) as (typeof unitUses)[number][],
        }),
      );
      return { key: 'billing.office.items.created' };
    });
  }
  const v = parsed.data;
  return answerBillingForm(headers, async () => {
    await withUser(user.claims, (tx) =>
      addRuleVersion(tx, {
        feeItemId: v.feeItemId,
        effectiveFrom: v.effectiveFrom.slice(0, 7),
        rule: v.rule,
      }),
    );
    return { key: 'billing.office.items.created' };
  });
}

function RuleSummary({ rule }: { rule: FeeRule }) {
  const t = useT();
  const offers = rule.prepayDiscounts?.length
    ? ` · ${rule.prepayDiscounts.map((o) => prepayOfferLabel(o.minMonths, o)).join('；')}`
    : '';
  const late = `${rule.lateFee ? ` · ${t('billing.common.lateFee')} ${rule.lateFee.dailyRateBp}‱/d` : ''}${offers}`;
  if (rule.method === 'metered') {
    return (
      <span>
        {t('billing.method.metered')} ({t(`billing.office.items.tierBasis.${rule.tierBasis}`)}):{' '}
        {rule.tiers.map((tier) => `${tier.upTo ?? '∞'}→${unitPrice(tier.unitPriceE4)}`).join(' / ')}
        {late}
      </span>
    );
  }
  return (
    <span>
      {t(`billing.method.${rule.method}`)} {unitPrice(rule.unitPriceE4)}
      {late}
    </span>
  );
}

function selectClass() {
  return 'h-9 rounded-md border bg-background px-2 text-sm';
}

function RuleForm({ item, errors }: { item: FeeItemDto; errors: BillingActionData['errors'] }) {
  const t = useT();
  return (
    <Form
      method="post"
      className="mt-3 grid gap-2 rounded-md border border-dashed p-3 text-sm md:grid-cols-4"
    >
      <input type="hidden" name="feeItemId" value={item.id} />
      <label className="flex flex-col gap-1">
        {t('billing.office.items.effectiveFrom')}
        <input type="month" name="effectiveFrom" required className={selectClass()} />
      </label>
      <label className="flex flex-col gap-1">
        {t('billing.office.items.method')}
        <select
          name="method"
          className={selectClass()}
          defaultValue={
            item.kind === 'water' || item.kind === 'electricity' || item.kind === 'gas' ? 'metered' : 'area'
          }
        >
          {(['fixed', 'area', 'per_space', 'metered'] as const).map((m) => (
            <option key={m} value={m}>
              {t(`billing.method.${m}`)}
            </option>
          ))}
        </select>
      </label>
      <Field
        label={t('billing.office.items.price')}
        errors={errors?.fields?.price}
        inputProps={{ name: 'price', inputMode: 'decimal' }}
      />
      <label className="flex flex-col gap-1">
        {t('billing.office.items.tierBasis')}
        <select name="tierBasis" className={selectClass()}>
          <option value="monthly">{t('billing.office.items.tierBasis.monthly')}</option>
          <option value="annual">{t('billing.office.items.tierBasis.annual')}</option>
        </select>
      </label>
      <label className="flex flex-col gap-1 md:col-span-2">
        {t('billing.office.items.tiers')}
        <textarea
          name="tiers"
          rows={3}
          placeholder={'2880:0.4883\n4800:0.5383\n:0.7883'}
          className="rounded-md border bg-background p-2 font-mono text-xs"
        />
      </label>
      <Field
        label={t('billing.office.items.lateFee')}
        inputProps={{ name: 'lateFeeBp', inputMode: 'numeric', placeholder: '5' }}
      />
      <Field
        label={t('billing.office.items.grace')}
        inputProps={{ name: 'graceDays', inputMode: 'numeric', placeholder: '0' }}
      />
      <Field
        label={t('billing.office.items.cap')}
        inputProps={{ name: 'capPercent', inputMode: 'numeric', placeholder: '100' }}
      />
      <label className="flex flex-col gap-1 md:col-span-2">
        {t('billing.office.items.prepayOffers')}
        <textarea
          name="prepayOffers"
          rows={3}
          placeholder={'6:3%\n12:5%\n12:送1'}
          aria-invalid={errors?.fields?.prepayOffers ? true : undefined}
          className="rounded-md border bg-background p-2 font-mono text-xs"
        />
      </label>
      <div className="flex items-end">
        <SubmitButton intent="rule" size="sm">
          {t('billing.office.items.newRule')}
        </SubmitButton>
      </div>
    </Form>
  );
}

export default function OfficeFeeItemsPage() {
  const t = useT();
  const { items, community } = useLoaderData<typeof loader>();
  const actionData = useActionData<BillingActionData>();
  return (
    <div className="flex flex-col gap-4">
      <FormErrors errors={actionData?.errors?.form} />
      {actionData?.message ? (
        <p role="status" className="text-emerald-700 text-sm">
          {t(actionData.message.key as never)}
        </p>
      ) : null}
      <ul className="flex flex-col gap-3">
        {items.map((item) => (
          <li key={item.id} className="rounded-lg border bg-card p-4">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-medium">{item.name}</span>
              <span className="text-muted-foreground text-xs">
                {t(`billing.kind.${item.kind}`)} · {t(`billing.cycle.${item.billingCycle}`)} ·{' '}
                {item.appliesTo.join(', ')}
              </span>
            </div>
            <h3 className="mt-2 text-muted-foreground text-xs">{t('billing.office.items.rules')}</h3>
            {item.rules.length ? (
              <ul className="mt-1 flex flex-col gap-1 text-sm">
                {item.rules.map((r) => (
                  <li key={r.id}>
                    <span className="mr-2 tabular-nums">{r.effectiveFrom.slice(0, 7)}</span>
                    <RuleSummary rule={r.rule} />
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-muted-foreground text-sm">{t('billing.office.items.noRule')}</p>
            )}
            <div className="mt-2 flex flex-wrap items-end gap-2 text-sm">
              <span className="text-muted-foreground text-xs">
                {item.prepayMaxMonths > 0
                  ? t('billing.office.items.prepayAllowed', { months: item.prepayMaxMonths })
                  : t('billing.office.items.prepayClosed')}
              </span>
              {community.canManage ? (
                <Form method="post" className="flex items-end gap-2">
                  <input type="hidden" name="feeItemId" value={item.id} />
                  <label className="flex flex-col gap-1 text-xs">
                    {t('billing.office.items.prepayMax')}
                    <input
                      name="prepayMaxMonths"
                      inputMode="numeric"
                      defaultValue={String(item.prepayMaxMonths)}
                      className="h-8 w-20 rounded-md border bg-background px-2 text-sm"
                    />
                  </label>
                  <SubmitButton intent="prepay" size="sm" variant="outline">
                    {t('billing.common.save')}
                  </SubmitButton>
                </Form>
              ) : null}
            </div>
            {community.canManage ? <RuleForm item={item} errors={actionData?.errors} /> : null}
          </li>
        ))}
      </ul>
      {community.canManage ? (
        <Form method="post" className="grid gap-3 rounded-lg border bg-card p-4 text-sm md:grid-cols-3">
          <h2 className="font-medium md:col-span-3">{t('billing.office.items.new')}</h2>
          <Field
            label={t('billing.office.items.name')}
            errors={actionData?.errors?.fields?.name}
            inputProps={{ name: 'name', required: true }}
          />
          <label className="flex flex-col gap-1">
            {t('billing.office.items.kind')}
            <select name="kind" className={selectClass()}>
              {feeKinds.map((k) => (
                <option key={k} value={k}>
                  {t(`billing.kind.${k}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-col gap-1">
            {t('billing.office.items.cycle')}
            <select name="billingCycle" className={selectClass()}>
              {billingCycles.map((c) => (
                <option key={c} value={c}>
                  {t(`billing.cycle.${c}`)}
                </option>
              ))}
            </select>
          </label>
          <fieldset className="flex flex-wrap gap-3 md:col-span-2">
            <legend className="mb-1">{t('billing.office.items.appliesTo')}</legend>
            {unitUses.map((u) => (
              <label key={u} className="flex items-center gap-1">
                <input type="checkbox" name="appliesTo" value={u} defaultChecked={u === 'residential'} />
                {u}
              </label>
            ))}
          </fieldset>
          <Field
            label={t('billing.office.items.dueDays')}
            inputProps={{ name: 'dueDays', defaultValue: '14', inputMode: 'numeric' }}
          />
          <label className="flex items-center gap-2">
            <input type="checkbox" name="billVacant" defaultChecked />
            {t('billing.office.items.billVacant')}
          </label>
          <div className="md:col-span-2">
            <SubmitButton intent="item">{t('billing.office.items.new')}</SubmitButton>
          </div>
        </Form>
      ) : null}
    </div>
  );
}
