import type { MessageKey } from '~/i18n/zh-CN';
import { type JwtClaims, withUser } from '~/lib/db.server';
import { BillingError } from './errors';
import {
  findUnits,
  myPrepayUnits,
  type OpenPrepayment,
  openPrepayments,
  type PrepayOption,
  type PrepayQuote,
  type PrepayUnit,
  prepayOptions,
  prepayQuote,
  unitOf,
} from './prepay.server';

export type PrepayPage = {
  q: string;
  units: PrepayUnit[];
  unit: PrepayUnit | null;
  options: PrepayOption[];
  item: PrepayOption | null;
  months: number | null;
  open: OpenPrepayment[];
  quote: PrepayQuote | null;
  quoteError: MessageKey | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What a prepay screen shows for `?unit=&item=&months=` (and `?q=` at the front desk): the
 * units to choose from, the unit's prepayable items, the chosen item and months (default: the
 * longest offer, else one cycle) and the server's quote for them. A choice the server refuses
 * (limit reached, months not allowed) comes back as `quoteError`.
 */
export async function loadPrepayPage(
  claims: JwtClaims,
  params: URLSearchParams,
  scope: { surface: 'resident' } | { surface: 'office'; communityId: string },
): Promise<PrepayPage> {
  const wantedUnit = params.get('unit') ?? '';
  const q = (params.get('q') ?? '').slice(0, 32);
  const page = await withUser(
    claims,
    async (tx) => {
      let units: PrepayUnit[];
      let unit: PrepayUnit | null;
      if (scope.surface === 'resident') {
        units = await myPrepayUnits(tx);
        unit = units.find((u) => u.id === wantedUnit) ?? units[0] ?? null;
      } else {
        units = await findUnits(tx, scope.communityId, q);
        unit = UUID.test(wantedUnit) ? await unitOf(tx, scope.communityId, wantedUnit) : null;
      }
      if (!unit) return { q, units, unit, options: [], item: null, months: null, open: [] };
      const options = await prepayOptions(tx, unit.id);
      const open = await openPrepayments(tx, unit.id);
      const item =
        options.find((o) => o.feeItemId === params.get('item') && !o.limitReached) ??
        options.find((o) => !o.limitReached) ??
        null;
      const asked = Number(params.get('months'));
      const longestOffer = Math.max(
        0,
        ...(item?.offers.map((o) => o.offer.minMonths).filter((m) => item.monthChoices.includes(m)) ?? []),
      );
      const months = item
        ? item.monthChoices.includes(asked)
          ? asked
          : longestOffer || item.monthChoices[0] || null
        : null;
      return { q, units, unit, options, item, months, open };
    },
    { readOnly: true },
  );
  if (!page.item || !page.unit || !page.months) return { ...page, quote: null, quoteError: null };
  const input = { unitId: page.unit.id, feeItemId: page.item.feeItemId, months: page.months };
  try {
    const quote = await withUser(claims, (tx) => prepayQuote(tx, input), { readOnly: true });
    return { ...page, quote, quoteError: null };
  } catch (err) {
    if (err instanceof BillingError) return { ...page, quote: null, quoteError: err.messageKey };
    throw err;
  }
}
