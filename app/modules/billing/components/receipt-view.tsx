import type { receiptTexts } from '../receipt-pdf.server';

/** The e-receipt on screen: the same texts the PDF prints. */
export function ReceiptView({ texts }: { texts: ReturnType<typeof receiptTexts> }) {
  return (
    <article
      className="relative flex flex-col gap-3 rounded-lg border bg-card p-4 text-sm"
      aria-label={texts.title}
    >
      <header className="text-center">
        <h1 className="font-semibold text-lg">{texts.title}</h1>
        <p className="text-muted-foreground text-xs">{texts.subtitle}</p>
        {texts.status ? <p className="mt-1 font-semibold text-red-600">{texts.status}</p> : null}
      </header>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
        {texts.fields.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-muted-foreground">{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <table className="w-full text-xs">
        <tbody>
          {texts.items.map((row) => (
            <tr key={row.join('|')} className="border-t">
              <td className="py-1.5">
                {row[0]}
                {row[3] ? <div className="text-[10px] text-muted-foreground">{row[3]}</div> : null}
              </td>
              <td>{row[1]}</td>
              <td>{row[2]}</td>
              <td className="text-right tabular-nums">¥{row[4]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="flex flex-col gap-1 border-t pt-2">
        {texts.discount ? (
          <p className="text-red-700" data-testid="receipt-discount">
            {texts.discount}
          </p>
        ) : null}
        <div className="flex justify-between">
          <span className="text-muted-foreground">合计（小写）</span>
          <span className="font-semibold tabular-nums">{texts.totalFigures}</span>
        </div>
        <div className="flex justify-between gap-2">
          <span className="shrink-0 text-muted-foreground">合计（大写）</span>
          <span className="text-right font-medium">{texts.totalCapitals}</span>
        </div>
      </div>
      {texts.refunds.length ? (
        <ul className="flex flex-col gap-0.5 text-red-700 text-xs" aria-label="退款记录">
          {texts.refunds.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : null}
      <footer className="flex items-end justify-between gap-2 text-xs">
        <span>{texts.payee}</span>
        <span className="flex size-20 flex-col items-center justify-center rounded-full border-2 border-red-600 text-center text-[10px] text-red-600 leading-tight">
          <span>{texts.seal[0]}</span>
          <span className="mt-1 font-semibold">{texts.seal[1]}</span>
        </span>
      </footer>
    </article>
  );
}
