// Test and benchmark helpers for the AWS backend: the moto emulator, its seeding, and a small
// fleet (with its configuration and expected facts) to seed it with.
export {
  deadEndpoint,
  freePort,
  MOTO_CREDENTIALS,
  motoEnv,
  startMoto,
  type MotoServer,
  type StartMotoOptions,
} from "./moto";
export {
  createLaunchTemplate,
  putMetricSeries,
  seedGroups,
  templateName,
  type MetricSeed,
  type SeedGroup,
} from "./seed";
export {
  MOTO_FLEET,
  MOTO_PRIMARY,
  MOTO_STANDBY,
  motoFleetConfig,
  motoFleetPools,
  seedMotoFleet,
  type SeededCpu,
} from "./fleet";
export {
  forgetSeededVpcs,
  seedLaunchTemplate,
  seedQueue,
  seedTargetGroup,
  seedVpc,
  type SeededTargetGroup,
} from "./seed-elb";
