'use client';

import { logLineEvent } from '@cove/shared/contracts/api';
import { useEffect, useRef, useState } from 'react';

const maxLines = 5000;

/** A deployment's build or runtime log, live: EventSource on the API's follow stream. */
export function LogView({
  appName,
  deploymentId,
  stream,
  testId,
  emptyText,
  onEnd,
}: {
  appName: string;
  deploymentId: string | null;
  stream: 'build' | 'runtime';
  testId: string;
  emptyText: string;
  /** Called when the stream ends (the build finished), so the page can catch up at once. */
  onEnd?: () => void;
}) {
  const [lines, setLines] = useState<{ id: number; line: string }[]>([]);
  const [isLive, setLive] = useState(false);
  const bottom = useRef<HTMLPreElement>(null);

  useEffect(() => {
    setLines([]);
    if (!deploymentId) return;
    const source = new EventSource(
      `/api/v1/apps/${appName}/deployments/${deploymentId}/logs?stream=${stream}&follow=1`,
    );
    setLive(true);
    source.addEventListener('line', (event) => {
      const parsed = logLineEvent.safeParse(JSON.parse(event.data));
      if (!parsed.success) return;
      const entry = { id: parsed.data.id, line: parsed.data.line };
      setLines((previous) =>
        previous.some((seen) => seen.id === entry.id) ? previous : [...previous, entry].slice(-maxLines),
      );
    });
    source.addEventListener('end', () => {
      source.close();
      setLive(false);
      onEnd?.();
    });
    return () => {
      source.close();
      setLive(false);
    };
  }, [appName, deploymentId, stream, onEnd]);

  useEffect(() => {
    const element = bottom.current;
    if (element && lines.length > 0) element.scrollTop = element.scrollHeight;
  }, [lines]);

  return (
    <div className="log">
      <p className="log-state muted">
        {!deploymentId || lines.length === 0 ? emptyText : isLive ? 'Live' : 'Finished'}
      </p>
      <pre ref={bottom} data-testid={testId} role="log" aria-label={`${stream} log`}>
        {lines.map((entry) => `${entry.line}\n`).join('')}
      </pre>
    </div>
  );
}
