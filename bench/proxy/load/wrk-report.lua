-- Prints wrk's summary as one JSON line for the benchmark to read; latencies in microseconds.
-- Only `done` is defined, so wrk keeps sending its pre-built request at full speed.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%.0f,"durationUs":%.0f,"bytes":%.0f,"p50Us":%.1f,"p90Us":%.1f,"p99Us":%.1f,' ..
    '"maxUs":%.1f,"meanUs":%.1f,"connectErrors":%.0f,"readErrors":%.0f,"writeErrors":%.0f,' ..
    '"statusErrors":%.0f,"timeouts":%.0f}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
