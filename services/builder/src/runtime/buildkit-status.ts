// BuildKit reports progress as protobuf messages (moby.buildkit.v1.StatusResponse, base64 in the
// JSON stream); this decodes the parts Cove shows and renders them as a build log a person reads.
import protobuf from 'protobufjs';
import { z } from 'zod';
import { LineSplitter, stripAnsi } from './log-lines';

/**
 * The fields Cove reads, numbered as in BuildKit's api/services/control/control.proto; the decoder
 * skips the others (the per-status progress counters).
 */
const statusProto = `
syntax = "proto3";
package moby.buildkit.v1;
message StatusResponse {
  repeated Vertex vertexes = 1;
  repeated VertexLog logs = 3;
  repeated VertexWarning warnings = 4;
}
message Vertex {
  string digest = 1;
  string name = 3;
  bool cached = 4;
  Timestamp started = 5;
  Timestamp completed = 6;
}
message VertexLog {
  string vertex = 1;
  bytes msg = 4;
}
message VertexWarning {
  string vertex = 1;
  bytes short = 3;
}
message Timestamp {
  int64 seconds = 1;
  int32 nanos = 2;
}
`;

const statusResponseType = protobuf.parse(statusProto).root.lookupType('moby.buildkit.v1.StatusResponse');

const buildStatus = z.object({
  vertexes: z.array(
    z.object({
      digest: z.string(),
      name: z.string(),
      cached: z.boolean(),
      started: z.object({}).nullable(),
      completed: z.object({}).nullable(),
    }),
  ),
  logs: z.array(z.object({ vertex: z.string(), msg: z.instanceof(Uint8Array) })),
  warnings: z.array(z.object({ vertex: z.string(), short: z.instanceof(Uint8Array) })),
});

export type BuildStatus = z.infer<typeof buildStatus>;

/** One `moby.buildkit.trace` message (its `aux`, base64) as plain values. */
export function decodeBuildStatus(base64: string): BuildStatus {
  const message = statusResponseType.decode(Buffer.from(base64, 'base64'));
  return buildStatus.parse(statusResponseType.toObject(message, { defaults: true, longs: String }));
}

/** A Dockerfile instruction's vertex: "[stage-0 2/4] COPY ..." (or "[2/4] COPY ..." on newer engines). */
const stepName = /^\[(?:\S+ )?(\d+\/\d+)\] ([\s\S]*)$/;

interface Vertex {
  /** "Step 2/4 : COPY ...", or null for BuildKit's own work (loading the context, exporting). */
  header: string | null;
  /** A step whose result can come from the cache; FROM is "cached" whenever the image is local. */
  isCacheable: boolean;
  isAnnounced: boolean;
  isCachedShown: boolean;
  output: LineSplitter;
}

/**
 * Turns the status stream into lines in the classic builder's shape: `Step N/M : <instruction>` when
 * a step starts, ` ---> CACHED` when it was answered from the cache, then the step's own output
 * line by line. Cove's Dockerfiles are one straight chain, so steps run (and print) one at a time.
 */
export class BuildLogRenderer {
  private readonly vertexes = new Map<string, Vertex>();

  constructor(private readonly emit: (line: string) => void) {}

  push(status: BuildStatus): void {
    // Names first (a step's first message may carry its first output too), then output, then the
    // steps' ends: a step that completed has printed its last line.
    for (const update of status.vertexes) this.vertexOf(update.digest, update.name);
    for (const log of status.logs) {
      const vertex = this.vertexOf(log.vertex, '');
      this.announce(vertex);
      for (const line of vertex.output.push(stripAnsi(Buffer.from(log.msg).toString('utf8')))) {
        this.emit(line);
      }
    }
    for (const update of status.vertexes) {
      const vertex = this.vertexOf(update.digest, update.name);
      if (update.started !== null || update.cached) this.announce(vertex);
      if (update.cached && vertex.isCacheable && !vertex.isCachedShown) {
        vertex.isCachedShown = true;
        this.emit(' ---> CACHED');
      }
      if (update.completed !== null) this.flush(vertex);
    }
    for (const warning of status.warnings) {
      this.emit(`WARNING: ${Buffer.from(warning.short).toString('utf8').trim()}`);
    }
  }

  /** Hands on what each step printed after its last newline. */
  end(): void {
    for (const vertex of this.vertexes.values()) this.flush(vertex);
  }

  private flush(vertex: Vertex): void {
    for (const line of vertex.output.end()) this.emit(line);
  }

  private vertexOf(digest: string, name: string): Vertex {
    let vertex = this.vertexes.get(digest);
    if (vertex === undefined) {
      vertex = {
        header: null,
        isCacheable: false,
        isAnnounced: false,
        isCachedShown: false,
        output: new LineSplitter(),
      };
      this.vertexes.set(digest, vertex);
    }
    const step = stepName.exec(name);
    if (vertex.header === null && step !== null) {
      vertex.header = `Step ${step[1]} : ${step[2]}`;
      vertex.isCacheable = !step[2]?.startsWith('FROM ');
    }
    return vertex;
  }

  private announce(vertex: Vertex): void {
    if (vertex.isAnnounced || vertex.header === null) return;
    vertex.isAnnounced = true;
    this.emit(vertex.header);
  }
}
