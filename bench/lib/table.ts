// Plain-text tables for the terminal: aligned columns, numbers with fixed digits, a dash for
// anything that was not measured.

export interface Column {
  header: string;
  /** Numbers read best right-aligned; names left-aligned. */
  align?: 'left' | 'right';
}

export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        const width = widths[index] ?? 0;
        return column.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(columns.map((column) => column.header)), rule, ...rows.map(line)].join('\n');
}

/** A number with a fixed count of decimals and thousands separators, or a dash when not measured. */
export function formatNumber(value: number | undefined, decimals = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A signed difference, e.g. "+0.12" or "-0.03", or a dash. */
export function formatSigned(value: number | undefined, decimals = 2): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  const formatted = formatNumber(Math.abs(value), decimals);
  return value < 0 ? `-${formatted}` : `+${formatted}`;
}

/** A ratio as "0.45x", or a dash. */
export function formatRatio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '-' : `${value.toFixed(2)}x`;
}
