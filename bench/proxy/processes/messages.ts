// What the benchmark and its child processes (the upstream, Cove's proxy) say to each other over
// Node's IPC channel. Both sides validate, so a mismatch fails loudly instead of hanging.
import { z } from 'zod';

export const upstreamStats = z.object({
  /** Requests the upstream has begun and not yet answered or lost. */
  openRequests: z.number(),
  /** Requests for the slow page that arrived, were answered, or were cancelled by the peer first. */
  slowArrived: z.number(),
  slowAnswered: z.number(),
  slowCancelled: z.number(),
  openWebSockets: z.number(),
});
export type UpstreamStats = z.infer<typeof upstreamStats>;

export const childMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), port: z.number().int() }),
  z.object({ type: z.literal('stats'), stats: upstreamStats }),
  /** Live JavaScript memory after a full collection: what a leak would make grow. */
  z.object({ type: z.literal('garbage-collected'), liveHeapKb: z.number() }),
]);
export type ChildMessage = z.infer<typeof childMessage>;

export const parentMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stats') }),
  z.object({ type: z.literal('collect-garbage') }),
]);
export type ParentMessage = z.infer<typeof parentMessage>;

/** Sends a message to the parent; a child started without IPC has nobody to tell. */
export function tellParent(message: ChildMessage): void {
  process.send?.(message);
}

/** Calls the handler for every valid message from the parent; ignores anything else. */
export function onParentMessage(handler: (message: ParentMessage) => void): void {
  process.on('message', (raw: unknown) => {
    const parsed = parentMessage.safeParse(raw);
    if (parsed.success) handler(parsed.data);
  });
}

/** A forced collection when the child runs with --expose-gc, so RSS reads what is retained. */
export function collectGarbage(): void {
  const gc: unknown = Reflect.get(globalThis, 'gc');
  if (typeof gc === 'function') gc();
}
