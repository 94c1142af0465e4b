// The Insights tab's charts as plain inline SVG (no chart library): each has a title and a
// description for screen readers, labelled axes, and the same numbers as a table beneath it.
// They scale with the card (viewBox) and fit a 390 px wide phone.
import type { AnalyticsDayView, AppMetricsResponse } from '@cove/shared/contracts/insights';
import {
  bucketed,
  type ChartPoint,
  formatBytes,
  formatCores,
  formatSeconds,
  linePath,
  niceCeiling,
  periodLabel,
  shortDay,
  shortTime,
} from '../lib/charts';

const width = 400;
const height = 200;
const plot = { left: 66, right: 14, top: 24, bottom: 36 };
const plotWidth = width - plot.left - plot.right;
const plotHeight = height - plot.top - plot.bottom;
const chartPoints = 240;
const tableRows = 48;

function Frame({
  id,
  title,
  description,
  yLabel,
  xLabel,
  yMax,
  formatY,
  xTicks,
  children,
}: {
  id: string;
  title: string;
  description: string;
  yLabel: string;
  xLabel: string;
  yMax: number;
  formatY: (value: number) => string;
  xTicks: Array<{ x: number; label: string; anchor: 'start' | 'middle' | 'end' }>;
  children: React.ReactNode;
}) {
  const yTicks = [0, yMax / 2, yMax];
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
      data-testid={id}
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{description}</desc>
      {yTicks.map((tick) => {
        const y = plot.top + plotHeight - (tick / yMax) * plotHeight;
        return (
          <g key={tick}>
            <line x1={plot.left} x2={width - plot.right} y1={y} y2={y} className="chart-grid" />
            <text x={plot.left - 6} y={y + 4} textAnchor="end" className="chart-tick">
              {formatY(tick)}
            </text>
          </g>
        );
      })}
      {xTicks.map((tick) => (
        <text
          key={`${tick.x}-${tick.label}`}
          x={tick.x}
          y={height - plot.bottom + 16}
          textAnchor={tick.anchor}
          className="chart-tick"
        >
          {tick.label}
        </text>
      ))}
      <text x={plot.left + plotWidth / 2} y={height - 3} textAnchor="middle" className="chart-axis">
        {xLabel}
      </text>
      {/* Above the axis rather than turned along it: a phone's narrow chart has no room beside it. */}
      <text x={4} y={12} className="chart-axis">
        {yLabel}
      </text>
      {children}
    </svg>
  );
}

/** Views per day as bars, unique viewers as dots on them. */
export function ViewsChart({ perDay }: { perDay: readonly AnalyticsDayView[] }) {
  const yMax = niceCeiling(Math.max(1, ...perDay.map((day) => day.views)));
  const slot = plotWidth / Math.max(1, perDay.length);
  const xOf = (index: number) => plot.left + slot * index + slot / 2;
  const yOf = (value: number) => plot.top + plotHeight - (value / yMax) * plotHeight;
  const tickIndexes = [...new Set([0, Math.floor((perDay.length - 1) / 2), perDay.length - 1])];
  const totalViews = perDay.reduce((sum, day) => sum + day.views, 0);
  const first = perDay[0];
  const last = perDay.at(-1);
  return (
    <figure className="chart-figure">
      <Frame
        id="views-chart"
        title="Views and unique viewers per day"
        description={`${totalViews} views from ${first ? shortDay(first.day) : ''} to ${last ? shortDay(last.day) : ''}; bars are views, dots unique viewers.`}
        yLabel="Views"
        xLabel="Day (UTC)"
        yMax={yMax}
        formatY={(value) => String(Math.round(value))}
        xTicks={tickIndexes.flatMap((index) => {
          const day = perDay[index];
          return day
            ? [{ x: xOf(index), label: shortDay(day.day), anchor: anchorOf(index, perDay.length) }]
            : [];
        })}
      >
        {perDay.map((day, index) => (
          <g key={day.day}>
            <rect
              x={xOf(index) - Math.max(1, slot * 0.35)}
              width={Math.max(2, slot * 0.7)}
              y={yOf(day.views)}
              height={plot.top + plotHeight - yOf(day.views)}
              className="chart-bar"
            >
              <title>{`${shortDay(day.day)}: ${day.views} views, ${day.uniqueViewers} unique viewers`}</title>
            </rect>
            {day.uniqueViewers > 0 ? (
              <circle cx={xOf(index)} cy={yOf(day.uniqueViewers)} r={2.5} className="chart-dot" />
            ) : null}
          </g>
        ))}
      </Frame>
      <figcaption className="chart-legend">
        <span className="legend-bar" aria-hidden="true" /> views{' '}
        <span className="legend-dot" aria-hidden="true" /> unique viewers
      </figcaption>
      <details>
        <summary>Show as a table</summary>
        <div className="table-scroll">
          <table className="data-table" data-testid="views-table">
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                <th scope="col">Views</th>
                <th scope="col">Unique viewers</th>
                <th scope="col">Sessions</th>
                <th scope="col">Average session</th>
              </tr>
            </thead>
            <tbody>
              {[...perDay].reverse().map((day) => (
                <tr key={day.day}>
                  <td>{day.day}</td>
                  <td>{day.views}</td>
                  <td>{day.uniqueViewers}</td>
                  <td>{day.sessions}</td>
                  <td>{formatSeconds(day.averageSessionSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** The first label starts at its tick and the last ends at it, so neither runs off the chart. */
function anchorOf(index: number, count: number): 'start' | 'middle' | 'end' {
  if (count > 1 && index === 0) return 'start';
  if (count > 1 && index === count - 1) return 'end';
  return 'middle';
}

function timeTicks(firstMs: number, lastMs: number, xOf: (atMs: number) => number) {
  const isLongSpan = lastMs - firstMs > 24 * 60 * 60 * 1000;
  const middle = firstMs + (lastMs - firstMs) / 2;
  return [firstMs, middle, lastMs].map((atMs, index) => ({
    x: xOf(atMs),
    label: shortTime(atMs, isLongSpan),
    anchor: anchorOf(index, 3),
  }));
}

/**
 * One quantity of the app's instance over time: its line, its limit (dashed) and, on the memory
 * chart, a red mark at every out-of-memory kill.
 */
export function UsageChart({
  kind,
  metrics,
  nowMs,
}: {
  kind: 'memory' | 'cpu';
  metrics: AppMetricsResponse;
  nowMs: number;
}) {
  const isMemory = kind === 'memory';
  const all: ChartPoint[] = metrics.samples.map((sample) => ({
    atMs: Date.parse(sample.at),
    value: isMemory ? sample.memoryBytes : sample.cpuCores,
  }));
  const points = bucketed(all, chartPoints, isMemory ? 'max' : 'mean');
  const limit = isMemory ? metrics.memoryLimitBytes : metrics.cpuLimitCores;
  const firstMs = nowMs - metrics.hours * 60 * 60 * 1000;
  const peak = Math.max(0, ...points.map((point) => point.value));
  const mebibyte = 1024 * 1024;
  // Round MB (or cores) at the top, above the limit so its line is never on the frame.
  const yMax = isMemory
    ? niceCeiling((Math.max(limit ?? 0, peak) / mebibyte) * 1.05) * mebibyte
    : niceCeiling(Math.max(limit ?? 0, peak) * 1.05);
  const xOf = (atMs: number) => plot.left + ((atMs - firstMs) / Math.max(1, nowMs - firstMs)) * plotWidth;
  const yOf = (value: number) => plot.top + plotHeight - (Math.min(value, yMax) / yMax) * plotHeight;
  const format = isMemory ? formatBytes : formatCores;
  const kills = isMemory ? metrics.oomKills : [];
  const id = `${kind}-chart`;
  const description =
    points.length === 0
      ? 'No samples in this window: the app was not running.'
      : `Highest ${format(peak)}${limit === null ? '' : ` of a ${format(limit)} limit`}${
          kills.length > 0 ? `; ${kills.length} out-of-memory kill${kills.length === 1 ? '' : 's'}` : ''
        }.`;
  const rows = bucketed(all, tableRows, isMemory ? 'max' : 'mean').reverse();
  return (
    <figure className="chart-figure">
      <Frame
        id={id}
        title={`${isMemory ? 'Memory' : 'CPU'} over the last ${periodLabel(metrics.hours)}`}
        description={description}
        yLabel={isMemory ? 'Memory' : 'CPU (cores)'}
        xLabel="Time (UTC)"
        yMax={yMax}
        formatY={isMemory ? formatBytes : (value) => value.toFixed(value >= 1 ? 1 : 2)}
        xTicks={timeTicks(firstMs, nowMs, xOf)}
      >
        {limit === null ? null : (
          <g data-testid={`${id}-limit`}>
            <line
              x1={plot.left}
              x2={width - plot.right}
              y1={yOf(limit)}
              y2={yOf(limit)}
              className="chart-limit"
            />
            <text x={width - plot.right} y={yOf(limit) - 4} textAnchor="end" className="chart-limit-label">
              limit {format(limit)}
            </text>
          </g>
        )}
        {points.length > 0 ? <path d={linePath(points, xOf, yOf)} className="chart-line" /> : null}
        {kills.map((kill) => {
          const x = xOf(Date.parse(kill.at));
          return (
            <g key={`${kill.at}-${kill.deploymentId ?? ''}`} className="chart-oom" data-testid="oom-mark">
              <title>{`Out of memory at ${shortTime(Date.parse(kill.at), true)} UTC`}</title>
              <line x1={x} x2={x} y1={plot.top} y2={plot.top + plotHeight} />
              <path d={`M${x - 5},${plot.top} L${x + 5},${plot.top} L${x},${plot.top + 8} Z`} />
            </g>
          );
        })}
      </Frame>
      <figcaption className="chart-legend">
        <span className="legend-line" aria-hidden="true" /> {isMemory ? 'memory in use' : 'CPU in use'}
        {limit === null ? null : (
          <>
            {' '}
            <span className="legend-limit" aria-hidden="true" /> limit
          </>
        )}
        {isMemory ? (
          <>
            {' '}
            <span className="legend-oom" aria-hidden="true" /> out of memory
          </>
        ) : null}
      </figcaption>
      <details>
        <summary>Show as a table</summary>
        <div className="table-scroll">
          <table className="data-table" data-testid={`${id}-table`}>
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                <th scope="col">{isMemory ? 'Memory (highest)' : 'CPU (average)'}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.atMs}>
                  <td>{shortTime(row.atMs, true)}</td>
                  <td>{format(row.value)}</td>
                </tr>
              ))}
              {kills.map((kill) => (
                <tr key={`oom-${kill.at}`} className="oom-row">
                  <td>{shortTime(Date.parse(kill.at), true)}</td>
                  <td>out of memory</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
