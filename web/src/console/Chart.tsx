/**
 * One uPlot line chart that follows its container's width. The canvas is hidden from assistive
 * technology: the same numbers are in the stat tiles beside it, as text.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { formatClock, formatTime } from '../shared/format.ts';
import { useLang } from '../shared/i18n.tsx';

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

export function Chart({
  title,
  times,
  series,
  height = 180,
}: {
  title: string;
  times: number[];
  series: ChartSeries[];
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { lang } = useLang();
  const labels = `${lang}|${series.map((s) => s.label).join('|')}`;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      // Seoul time in the console's language, 24-hour (uPlot's own labels are US "3:45pm").
      series: [
        { label: lang === 'ko' ? '시각' : 'Time', value: (_u, ts) => (ts == null ? '–' : formatTime(ts * 1e3, lang)) },
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: false })),
      ],
      axes: [
        { stroke: '#4b5563', values: (_u, splits) => splits.map((ts) => formatClock(ts * 1e3, lang)) },
        { stroke: '#4b5563', size: 60 },
      ],
      scales: { x: { time: true } },
      legend: { show: true },
    };
    const p = new uPlot(opts, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    plot.current = p;
    const ro = new ResizeObserver(() => p.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      p.destroy();
      plot.current = null;
    };
    // Rebuild only when the set of series changes; data updates go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [labels, height]);

  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [times, series]);

  return (
    <figure className="chart card" data-points={times.length}>
      <figcaption>{title}</figcaption>
      <div ref={box} aria-hidden="true" />
    </figure>
  );
}
