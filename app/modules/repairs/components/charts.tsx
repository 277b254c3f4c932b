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
import type { Series } from '../repairs-stats.server';

ChartJS.register(CategoryScale, LinearScale, BarElement, LineElement, PointElement, Tooltip, Legend);

const PALETTE = [
  '#0d9488',
  '#2563eb',
  '#d97706',
  '#dc2626',
  '#7c3aed',
  '#db2777',
  '#65a30d',
  '#0891b2',
  '#475569',
];

/** Tickets per bucket, stacked by a key (category or technician). Takes prepared series, never rows. */
export function StackedBars({ series, label }: { series: Series; label: string }) {
  return (
    <div className="h-64">
      <Bar
        aria-label={label}
        role="img"
        data={{
          labels: series.labels,
          datasets: series.datasets.map((d, i) => ({
            ...d,
            backgroundColor: PALETTE[i % PALETTE.length],
            stack: 's',
          })),
        }}
        options={{
          maintainAspectRatio: false,
          animation: false,
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
          plugins: { legend: { position: 'bottom' } },
        }}
      />
    </div>
  );
}

export function Lines({ series, label }: { series: Series; label: string }) {
  return (
    <div className="h-64">
      <Line
        aria-label={label}
        role="img"
        data={{
          labels: series.labels,
          datasets: series.datasets.map((d, i) => ({
            ...d,
            borderColor: PALETTE[i % PALETTE.length],
            backgroundColor: PALETTE[i % PALETTE.length],
            tension: 0.25,
          })),
        }}
        options={{
          maintainAspectRatio: false,
          animation: false,
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
          plugins: { legend: { position: 'bottom' } },
        }}
      />
    </div>
  );
}
