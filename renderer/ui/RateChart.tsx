/** A small uPlot line chart (uPlot draws on canvas: cheap enough to redraw every stats poll). */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** The shortest time span the chart shows, in seconds. */
const WINDOW_S = 60;

export function RateChart({ data, label }: { data: [number[], number[]]; label: string }) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const chart = new uPlot(
      {
        width: Math.max(200, element.clientWidth),
        height: 160,
        legend: { show: false },
        axes: [
          { stroke: '#9aa4b2', grid: { stroke: '#2a3240' } },
          { stroke: '#9aa4b2', grid: { stroke: '#2a3240' }, size: 50 },
        ],
        // Until two samples exist uPlot would invent a time range ("Feb 2027 … Aug 2029"): show the last
        // WINDOW_S seconds up to now instead, and the series' own range once it spans more.
        scales: {
          x: {
            time: true,
            range: (_chart, min, max) => {
              const end = max ?? Date.now() / 1000;
              return [Math.min(min ?? end - WINDOW_S, end - WINDOW_S), end];
            },
          },
        },
        series: [{}, { label, stroke: '#58a6ff', width: 2, fill: 'rgba(88,166,255,0.15)' }],
      },
      [[Date.now() / 1000], [0]],
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, element.clientWidth), height: 160 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [label]);

  useEffect(() => {
    if (data[0].length > 0) plot.current?.setData(data);
  }, [data]);

  return <div ref={holder} className="chart" aria-label={label} />;
}
