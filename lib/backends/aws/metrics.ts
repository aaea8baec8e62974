import "server-only";
import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type GetMetricDataOutput,
  type MessageData,
  type MetricDataResult,
} from "@aws-sdk/client-cloudwatch";
import type { MetricQuery, MetricSeries, Point, TimeRange } from "@/lib/fleet/types";
import { mapped } from "./errors";

// Every series of a region in as few GetMetricData calls as the API allows: at most 500 queries
// per call (chunks run in parallel), each call followed through NextToken, pages merged per id.
// CloudWatch bills per metric requested, so nothing here asks for a series twice.

export const MAX_QUERIES_PER_CALL = 500;
/** Bounds a NextToken loop should an endpoint keep answering with one. */
const MAX_PAGES = 1000;

export interface MetricReader {
  client: CloudWatchClient;
  region: string;
  signal?: AbortSignal;
}

export async function getMetricData(
  r: MetricReader,
  queries: MetricQuery[],
  range: TimeRange,
): Promise<MetricSeries[]> {
  if (queries.length === 0) return [];
  const chunks: MetricQuery[][] = [];
  for (let i = 0; i < queries.length; i += MAX_QUERIES_PER_CALL)
    chunks.push(queries.slice(i, i + MAX_QUERIES_PER_CALL));
  const results = await Promise.all(chunks.map((chunk) => fetchChunk(r, chunk, range)));
  return results.flat();
}

interface Merged {
  timestamps: number[];
  values: number[];
  status?: string;
  messages: string[];
}

async function fetchChunk(
  r: MetricReader,
  queries: MetricQuery[],
  range: TimeRange,
): Promise<MetricSeries[]> {
  // One call has one StartTime/EndTime; periods 60/300/900/3600 all divide the largest one, so
  // aligning to it aligns every series of the chunk to its own period.
  const widest = Math.max(...queries.map((q) => q.period)) * 1000;
  const start = alignDown(range.start, widest);
  const end = alignUp(range.end, widest);
  const merged = new Map<string, Merged>(
    queries.map((q): [string, Merged] => [q.id, { timestamps: [], values: [], messages: [] }]),
  );
  const callMessages: string[] = [];

  let NextToken: string | undefined;
  let pages = 0;
  do {
    const page: GetMetricDataOutput = await mapped({ service: "cloudwatch", region: r.region }, () =>
      r.client.send(
        new GetMetricDataCommand({
          StartTime: new Date(start),
          EndTime: new Date(end),
          ScanBy: "TimestampAscending",
          MetricDataQueries: queries.map(toDataQuery),
          NextToken,
        }),
        { abortSignal: r.signal },
      ),
    );
    for (const result of page.MetricDataResults ?? []) mergeResult(merged, result);
    callMessages.push(...(page.Messages ?? []).map(messageText));
    NextToken = page.NextToken;
    pages += 1;
  } while (NextToken && pages < MAX_PAGES);

  return queries.map((q) => toSeries(q, merged.get(q.id)!, range, callMessages));
}

function toDataQuery(q: MetricQuery) {
  return {
    Id: q.id,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: q.namespace,
        MetricName: q.metricName,
        Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: q.period,
      Stat: q.statistic,
    },
  };
}

function mergeResult(merged: Map<string, Merged>, result: MetricDataResult): void {
  const m = result.Id === undefined ? undefined : merged.get(result.Id);
  if (!m) return;
  const timestamps = result.Timestamps ?? [];
  const values = result.Values ?? [];
  timestamps.forEach((t, i) => {
    const v = values[i];
    if (v !== undefined) {
      m.timestamps.push(t.getTime());
      m.values.push(v);
    }
  });
  // A page cut short by NextToken says PartialData; the page that finishes the series says how it ended.
  if (result.StatusCode) m.status = result.StatusCode;
  m.messages.push(...(result.Messages ?? []).map(messageText));
}

function toSeries(q: MetricQuery, m: Merged, range: TimeRange, callMessages: string[]): MetricSeries {
  const step = q.period * 1000;
  const first = alignDown(range.start, step);
  const last = alignUp(range.end, step);
  const byTime = new Map<number, number>();
  m.timestamps.forEach((t, i) => {
    const slot = first + alignDown(t - first, step);
    if (slot >= first && slot < last) byTime.set(slot, m.values[i]!);
  });
  // No datapoint at all is an empty series, as CloudWatch (and the simulation) answer it; once
  // there is one, every period of the range is present and the missing ones are gaps (null).
  const points: Point[] = [];
  if (byTime.size > 0) for (let t = first; t < last; t += step) points.push([t, byTime.get(t) ?? null]);
  const messages = [...new Set([...m.messages, ...callMessages])];
  if (m.status === undefined) {
    return {
      id: q.id,
      points,
      status: "PartialData",
      messages: [...messages, "CloudWatch returned no result for this query"],
    };
  }
  return { id: q.id, points, status: statusOf(m.status), messages };
}

function statusOf(code: string): MetricSeries["status"] {
  return code === "Complete" || code === "PartialData" || code === "Forbidden" ? code : "InternalError";
}

function messageText(m: MessageData): string {
  return [m.Code, m.Value].filter(Boolean).join(": ");
}

function alignDown(ms: number, step: number): number {
  return Math.floor(ms / step) * step;
}

function alignUp(ms: number, step: number): number {
  return Math.ceil(ms / step) * step;
}
