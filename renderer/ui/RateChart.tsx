/** A small uPlot line chart (uPlot draws on canvas: cheap enough to redraw every stats poll). */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

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
        series: [{}, { label, stroke: '#58a6ff', width: 2, fill: 'rgba(88,166,255,0.15)' }],
      },
      [[], []],
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
    plot.current?.setData(data);
  }, [data]);

  return <div ref={holder} className="chart" aria-label={label} />;
}
