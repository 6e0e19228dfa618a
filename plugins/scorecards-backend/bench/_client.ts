/*
 * The clients of the load benchmark, in a process of their own: load.ts starts one per route, so
 * that the backend it measures has its own event loop, as it would behind a network, instead of
 * sharing one with the clients that parse its answers.
 *
 * Reads { url, bearer, connections, duration } as JSON from its first argument and prints one
 * JSON line: requests per second, p50, p99, requests over 2 s, errors and bytes per answer.
 */
import autocannon from 'autocannon';

/** What one route measured. */
export interface ClientResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  over2s: number;
  errors: number;
  bytes: number;
}

async function main() {
  const { url, bearer, connections, duration } = JSON.parse(process.argv[2]);
  let over2s = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration,
        headers: { authorization: `Bearer ${bearer}` },
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      if (responseTime > 2000) over2s++;
    });
  });
  const row: ClientResult = {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    over2s,
    errors: result.errors + result.timeouts + result.non2xx,
    bytes: result.throughput.total / Math.max(1, result.requests.total),
  };
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

main().then(
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
