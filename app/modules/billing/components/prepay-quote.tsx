import { useT } from '~/i18n/use-t';
import type { PrepayQuote } from '../prepay.server';
import { periodLabel, Yuan } from './money';

/** A prepay quote as the server computed it: the bills, the full price, the discount, the net. */
export function PrepayQuoteView({ quote }: { quote: PrepayQuote }) {
  const t = useT();
  return (
    <div className="flex flex-col gap-2 text-sm">
      <details>
        <summary className="cursor-pointer select-none text-muted-foreground text-xs">
          {t('billing.prepay.periods')} ({quote.periods.length})
        </summary>
        <table className="mt-1 w-full text-xs" aria-label={t('billing.prepay.periods')}>
          <tbody>
            {quote.periods.map((p) => (
              <tr key={p.periodStart} className="border-t">
                <td className="py-1">{periodLabel(p.periodStart, p.periodEnd)}</td>
                <td className="text-right">
                  <Yuan fen={p.chargeFen} />
                </td>
                <td className="text-right text-emerald-700">
                  {p.discountFen ? (
                    <>
                      -<Yuan fen={p.discountFen} />
                    </>
                  ) : (
                    ''
                  )}
                </td>
                <td className="text-right font-medium">
                  <Yuan fen={p.amountFen} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <dl className="grid grid-cols-[1fr_auto] gap-x-3 gap-y-1" data-testid="prepay-quote">
        <dt className="text-muted-foreground">
          {t('billing.prepay.gross')} ·{' '}
          {t('billing.prepay.range', {
            start: quote.periodStart.slice(0, 7),
            end: quote.periodEnd.slice(0, 7),
          })}
        </dt>
        <dd className="text-right">
          <Yuan fen={quote.grossFen} />
        </dd>
        <dt className="text-emerald-700">{quote.offerLabel ?? t('billing.prepay.noOffer')}</dt>
        <dd className="text-right text-emerald-700">
          -<Yuan fen={quote.discountFen} />
        </dd>
        <dt className="font-medium">{t('billing.prepay.net')}</dt>
        <dd className="text-right font-semibold">
          <Yuan fen={quote.netFen} />
        </dd>
      </dl>
    </div>
  );
}
