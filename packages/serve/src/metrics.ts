/** Prometheus text exposition (format 0.0.4) of the server's counters, written by hand: a few series. */
export interface ServerMetrics {
  observe(route: string, method: string, status: number, seconds: number): void;
  render(gauges: {
    readonly queueDepth: number;
    readonly inFlight: number;
    readonly activePredictions: number;
  }): string;
}

/** Latency buckets in seconds, from a cached small request to a slow batch. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

interface Histogram {
  readonly counts: number[];
  sum: number;
  count: number;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function createServerMetrics(): ServerMetrics {
  const requests = new Map<string, number>();
  const latency = new Map<string, Histogram>();

  return {
    observe(route, method, status, seconds) {
      const key = `route="${escapeLabel(route)}",method="${method}",status="${status}"`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
      const histogramKey = `route="${escapeLabel(route)}",method="${method}"`;
      let histogram = latency.get(histogramKey);
      if (!histogram) {
        histogram = { counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
        latency.set(histogramKey, histogram);
      }
      LATENCY_BUCKETS.forEach((bound, i) => {
        if (seconds <= bound) histogram.counts[i]!++;
      });
      histogram.sum += seconds;
      histogram.count++;
    },
    render({ queueDepth, inFlight, activePredictions }) {
      const lines: string[] = [
        '# HELP omnifuse_http_requests_total HTTP requests answered, by route, method and status.',
        '# TYPE omnifuse_http_requests_total counter',
      ];
      for (const [labels, value] of requests) lines.push(`omnifuse_http_requests_total{${labels}} ${value}`);
      lines.push(
        '# HELP omnifuse_http_request_duration_seconds Time from request to response.',
        '# TYPE omnifuse_http_request_duration_seconds histogram',
      );
      for (const [labels, histogram] of latency) {
        LATENCY_BUCKETS.forEach((bound, i) => {
          lines.push(
            `omnifuse_http_request_duration_seconds_bucket{${labels},le="${bound}"} ${histogram.counts[i]}`,
          );
        });
        lines.push(`omnifuse_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${histogram.count}`);
        lines.push(`omnifuse_http_request_duration_seconds_sum{${labels}} ${histogram.sum}`);
        lines.push(`omnifuse_http_request_duration_seconds_count{${labels}} ${histogram.count}`);
      }
      lines.push(
        '# HELP omnifuse_queue_depth Prediction requests admitted and not yet running (body being read, or waiting for a slot).',
        '# TYPE omnifuse_queue_depth gauge',
        `omnifuse_queue_depth ${queueDepth}`,
        '# HELP omnifuse_predictions_in_progress Predictions running now.',
        '# TYPE omnifuse_predictions_in_progress gauge',
        `omnifuse_predictions_in_progress ${activePredictions}`,
        '# HELP omnifuse_http_requests_in_flight HTTP requests received and not yet answered.',
        '# TYPE omnifuse_http_requests_in_flight gauge',
        `omnifuse_http_requests_in_flight ${inFlight}`,
      );
      return `${lines.join('\n')}\n`;
    },
  };
}
