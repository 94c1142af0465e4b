// The arithmetic of the Insights tab's charts (plain SVG, no chart library): axis bounds, paths that
// break where the app was asleep, fewer points than samples, and the units people read.

export interface ChartPoint {
  /** ms since the epoch */
  atMs: number;
  value: number;
}

/** A round upper bound at or above `value` (1, 2 or 5 times a power of ten), never 0. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/**
 * At most `count` points: the samples put in equal slices of time, each slice's largest value
 * (memory: a peak must not be averaged away) or its mean (CPU).
 */
export function bucketed(points: readonly ChartPoint[], count: number, pick: 'max' | 'mean'): ChartPoint[] {
  if (points.length <= count) return [...points];
  const first = points[0]?.atMs ?? 0;
  const last = points.at(-1)?.atMs ?? first;
  const widthMs = Math.max(1, (last - first) / count);
  const slices = new Map<number, ChartPoint[]>();
  for (const point of points) {
    const index = Math.min(count - 1, Math.floor((point.atMs - first) / widthMs));
    const slice = slices.get(index) ?? [];
    slices.set(index, slice);
    slice.push(point);
  }
  return [...slices.values()].map((slice) => {
    const values = slice.map((point) => point.value);
    const value =
      pick === 'max' ? Math.max(...values) : values.reduce((sum, each) => sum + each, 0) / values.length;
    return { atMs: slice[Math.floor(slice.length / 2)]?.atMs ?? 0, value };
  });
}

/** The usual gap between two samples (the median), to tell a pause (the app slept) from a beat. */
export function usualGapMs(points: readonly ChartPoint[]): number {
  const gaps = points.slice(1).map((point, index) => point.atMs - (points[index]?.atMs ?? point.atMs));
  if (gaps.length === 0) return 0;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] ?? 0;
}

/**
 * An SVG path through the points, lifted where two samples are further apart than three usual
 * gaps (no line drawn across the hours an app slept).
 */
export function linePath(
  points: readonly ChartPoint[],
  toX: (atMs: number) => number,
  toY: (value: number) => number,
): string {
  const breakAfterMs = usualGapMs(points) * 3;
  let path = '';
  let previousMs: number | null = null;
  for (const point of points) {
    const isBreak = previousMs === null || (breakAfterMs > 0 && point.atMs - previousMs > breakAfterMs);
    path += `${isBreak ? 'M' : 'L'}${toX(point.atMs).toFixed(1)},${toY(point.value).toFixed(1)}`;
    previousMs = point.atMs;
  }
  return path;
}

export function formatBytes(bytes: number): string {
  if (bytes === 0) return '0 MB';
  const mb = bytes / (1024 * 1024);
  if (mb >= 1024) return `${(mb / 1024).toFixed(mb >= 10 * 1024 ? 0 : 1)} GB`;
  return `${mb >= 10 ? Math.round(mb) : mb.toFixed(1)} MB`;
}

export function formatCores(cores: number): string {
  return `${cores >= 1 ? cores.toFixed(2) : cores.toFixed(cores >= 0.1 ? 2 : 3)} CPU`;
}

export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/** "7 Dec" for a UTC day ("2026-12-07"). */
export function shortDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

/** "14:05" (UTC), or "7 Dec 14:05" when the chart spans more than a day. */
export function shortTime(atMs: number, isLongSpan: boolean): string {
  const date = new Date(atMs);
  const time = date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
  return isLongSpan ? `${shortDay(date.toISOString().slice(0, 10))} ${time}` : time;
}

/** "hour", "24 hours", "7 days": the end of "over the last …". */
export function periodLabel(hours: number): string {
  if (hours === 1) return 'hour';
  if (hours >= 48 && hours % 24 === 0) return `${hours / 24} days`;
  return `${hours} hours`;
}
