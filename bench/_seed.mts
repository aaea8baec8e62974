import { startMoto, seedGroups, motoEnv } from "@/lib/backends/aws/testing";
import { createAwsBackend, awsCallCounts, resetAwsCallCounts } from "@/lib/backends/aws";
import { configSchema } from "@/lib/config/schema";
import { generatedPools } from "@/lib/config/generated-pools";
const moto = await startMoto();
const n = Number(process.argv[2] ?? 100);
Object.assign(process.env, motoEnv(moto.url));
let t = Date.now();
const regions = { primary: "us-east-1", standby: "us-west-2" };
const pools = generatedPools(n, regions);
await seedGroups(moto.url, "us-east-1", pools.map((p) => ({ name: p.groups!["us-east-1"]!, pool: p.id, min: 1, max: 20, desired: 1 })));
console.log("seed", n, Date.now() - t, "ms");
const cfg = configSchema.parse({ backend: "aws", regions, pools: pools.map(({ simulation, ...p }) => p), auth: { mode: "tokens" } });
const b = createAwsBackend(cfg);
for (let i = 0; i < 3; i++) {
  t = Date.now();
  const g = await b.listGroups("us-east-1");
  console.log("list", g.length, Date.now() - t, "ms");
}
const queries = pools.flatMap((p, i) => [
  { id: `p${i}_cpu`, namespace: "AWS/EC2", metricName: "CPUUtilization", dimensions: { AutoScalingGroupName: p.groups!["us-east-1"]! }, statistic: "Average", period: 60 },
  { id: `p${i}_x`, namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: `q${i}` }, statistic: "Maximum", period: 60 },
]);
for (let i = 0; i < 2; i++) {
  t = Date.now();
  const s = await b.getMetricData("us-east-1", queries as never, { start: Date.now() - 3600_000, end: Date.now() });
  console.log("gmd", s.length, Date.now() - t, "ms");
}
console.log(awsCallCounts());
b.close();
await moto.stop();
