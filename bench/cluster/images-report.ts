// The cluster benchmark's table: each way an image reaches a node, side by side with the other, as
// medians of the repeats. Plain functions, no I/O.
import { percentile } from '../lib/stats';
import { formatNumber, formatRatio, formatTable } from '../lib/table';

/** One way of carrying one image to a node, timed in each repeat. */
export interface Carry {
  image: 'runtime' | 'code-change';
  way: 'save-load' | 'registry';
  /** For the registry: the push from the manager and the pull on the worker, each repeat. */
  pushMilliseconds?: number[];
  pullMilliseconds?: number[];
  /** The whole of it, each repeat (save | load; or push + pull). */
  milliseconds: number[];
}

const imageTitles: Record<Carry['image'], string> = {
  runtime: 'the runtime image, to a node that has none of it',
  'code-change': 'a code-only change on top of it, to a node that has the runtime image',
};

function median(values: readonly number[] | undefined): number {
  return values === undefined ? Number.NaN : percentile(values, 50);
}

function seconds(milliseconds: number): string {
  return formatNumber(milliseconds / 1000, 1);
}

export function formatReport(carries: readonly Carry[]): string {
  const images = [...new Set(carries.map((carry) => carry.image))];
  const rows = images.map((image) => {
    const saveLoad = carries.find((carry) => carry.image === image && carry.way === 'save-load');
    const registry = carries.find((carry) => carry.image === image && carry.way === 'registry');
    const direct = median(saveLoad?.milliseconds);
    const viaRegistry = median(registry?.milliseconds);
    return [
      imageTitles[image],
      seconds(direct),
      seconds(median(registry?.pushMilliseconds)),
      seconds(median(registry?.pullMilliseconds)),
      seconds(viaRegistry),
      formatRatio(viaRegistry / direct),
      String(Math.max(saveLoad?.milliseconds.length ?? 0, registry?.milliseconds.length ?? 0)),
    ];
  });
  return formatTable(
    [
      { header: 'image' },
      { header: 'save|load s', align: 'right' },
      { header: 'push s', align: 'right' },
      { header: 'pull s', align: 'right' },
      { header: 'push+pull s', align: 'right' },
      { header: 'registry/save|load', align: 'right' },
      { header: 'runs', align: 'right' },
    ],
    rows,
  );
}
