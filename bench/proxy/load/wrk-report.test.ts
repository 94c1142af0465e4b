import { describe, expect, it } from 'vitest';
import { errorCount, parseWrkReport, requestsPerSecond } from './wrk-report';

const stdout = `Running 8s test @ http://127.0.0.1:4080/
  1 threads and 64 connections
WRK_JSON {"requests":80000,"durationUs":8000000,"bytes":1000,"p50Us":812.0,"p90Us":1200.5,"p99Us":2500.0,"maxUs":9000.0,"meanUs":850.2,"connectErrors":0,"readErrors":1,"writeErrors":0,"statusErrors":2,"timeouts":0}
Requests/sec:  10000.00
`;

describe('parseWrkReport', () => {
  it('reads the report line among wrk output', () => {
    const report = parseWrkReport(stdout);
    expect(report.p50Us).toBe(812);
    expect(requestsPerSecond(report)).toBe(10_000);
    expect(errorCount(report)).toBe(3);
  });

  it('says what wrk printed when the report is missing', () => {
    expect(() => parseWrkReport('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(
      /Connection refused/,
    );
  });
});
