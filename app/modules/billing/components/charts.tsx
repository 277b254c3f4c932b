import {
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { Bar, Line } from 'react-chartjs-2';

ChartJS.register(CategoryScale, LinearScale, BarElement, LineElement, PointElement, Tooltip, Legend);

const PALETTE = ['#0d9488', '#2563eb', '#d97706', '#dc2626', '#7c3aed', '#db2777', '#65a30d', '#475569'];

/** Yuan per month and fee type (prepared series in fen, never rows). */
export function TrendChart({
  months,
  series,
  label,
}: {
  months: string[];
  series: { label: string; fen: number[] }[];
  label: string;
}) {
  return (
    <div className="h-56">
      <Line
        aria-label={label}
        role="img"
        data={{
          labels: months.map((m) => m.slice(2)),
          datasets: series.map((s, i) => ({
            label: s.label,
            data: s.fen.map((f) => f / 100),
            borderColor: PALETTE[i % PALETTE.length],
            backgroundColor: PALETTE[i % PALETTE.length],
            tension: 0.25,
          })),
        }}
        options={{
          maintainAspectRatio: false,
          animation: false,
          scales: { y: { beginAtZero: true } },
          plugins: { legend: { position: 'bottom', labels: { boxWidth: 10 } } },
        }}
      />
    </div>
  );
}

/** Due and collected (yuan) per group, with the collection rate as a line on a second axis. */
export function CollectionChart({
  labels,
  due,
  paid,
  label,
  names,
}: {
  labels: string[];
  due: number[];
  paid: number[];
  label: string;
  names: { due: string; paid: string; rate: string };
}) {
  return (
    <div className="h-64">
      <Bar
        aria-label={label}
        role="img"
        data={{
          labels,
          datasets: [
            {
              type: 'bar' as const,
              label: names.due,
              data: due.map((f) => f / 100),
              backgroundColor: '#cbd5e1',
              yAxisID: 'y',
            },
            {
              type: 'bar' as const,
              label: names.paid,
              data: paid.map((f) => f / 100),
              backgroundColor: '#0d9488',
              yAxisID: 'y',
            },
            {
              type: 'line' as const,
              label: names.rate,
              data: due.map((d, i) => (d > 0 ? Math.round((paid[i] / d) * 1000) / 10 : 0)),
              borderColor: '#d97706',
              backgroundColor: '#d97706',
              yAxisID: 'rate',
            } as never,
          ],
        }}
        options={{
          maintainAspectRatio: false,
          animation: false,
          scales: {
            y: { beginAtZero: true, position: 'left' },
            rate: { beginAtZero: true, max: 100, position: 'right', grid: { drawOnChartArea: false } },
          },
          plugins: { legend: { position: 'bottom' } },
        }}
      />
    </div>
  );
}
