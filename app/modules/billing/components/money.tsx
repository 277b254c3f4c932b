import { Badge } from '~/components/ui/badge';
import { useT } from '~/i18n/use-t';
import { cn } from '~/lib/utils';
import type { BillStatus } from '../billing.schema';
import { e4ToYuanText } from '../rules/money';

/** 123456 fen → "1,234.56". */
export function formatFen(fen: number): string {
  const negative = fen < 0;
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${yuan}.${String(abs % 100).padStart(2, '0')}`;
}

export function Yuan({ fen, className }: { fen: number; className?: string }) {
  return <span className={cn('tabular-nums', className)}>¥{formatFen(fen)}</span>;
}

export function unitPrice(e4: number | null): string {
  return e4 === null ? '' : `¥${e4ToYuanText(e4)}`;
}

const STATUS_STYLE: Record<BillStatus | 'overdue' | 'locked', string> = {
  unpaid: 'border-amber-300 bg-amber-50 text-amber-800',
  overdue: 'border-red-300 bg-red-50 text-red-700',
  paid: 'border-emerald-300 bg-emerald-50 text-emerald-700',
  waived: 'border-zinc-300 bg-zinc-50 text-zinc-600',
  refunded: 'border-sky-300 bg-sky-50 text-sky-700',
  partially_refunded: 'border-sky-300 bg-sky-50 text-sky-700',
  pending: 'border-violet-300 bg-violet-50 text-violet-700',
  locked: 'border-violet-300 bg-violet-50 text-violet-700',
};

export function BillStatusBadge({
  status,
  overdue,
  locked,
}: {
  status: BillStatus;
  overdue?: boolean;
  locked?: boolean;
}) {
  const t = useT();
  const key = locked && status === 'unpaid' ? 'locked' : overdue && status === 'unpaid' ? 'overdue' : status;
  return (
    <Badge variant="outline" className={STATUS_STYLE[key]}>
      {t(`billing.status.${key}`)}
    </Badge>
  );
}

/** 2026-11-01 … 2026-11-30 → "2026-11"; longer periods as a range. */
export function periodLabel(start: string, end: string): string {
  if (start.slice(0, 7) === end.slice(0, 7)) return start.slice(0, 7);
  return `${start.slice(0, 7)} ~ ${end.slice(0, 7)}`;
}
