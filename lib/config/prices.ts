// On-demand Linux prices (USD per instance-hour) for common instance types, as AWS listed them on
// the date below, for the regions Capstan is most often run in. Used by `npm run discover` to fill
// `pools[].instance.hourlyPrice`; a type or region not listed gets no price and discover says so.
// Prices change: check https://aws.amazon.com/ec2/pricing/on-demand/ and edit the file's value.

export const PRICES_AS_OF = "2024-06-01";

const US: Record<string, number> = {
  "t3.micro": 0.0104,
  "t3.small": 0.0208,
  "t3.medium": 0.0416,
  "t3.large": 0.0832,
  "t3.xlarge": 0.1664,
  "t3.2xlarge": 0.3328,
  "t4g.micro": 0.0084,
  "t4g.small": 0.0168,
  "t4g.medium": 0.0336,
  "t4g.large": 0.0672,
  "t4g.xlarge": 0.1344,
  "m5.large": 0.096,
  "m5.xlarge": 0.192,
  "m5.2xlarge": 0.384,
  "m5.4xlarge": 0.768,
  "m6i.large": 0.096,
  "m6i.xlarge": 0.192,
  "m6i.2xlarge": 0.384,
  "m6i.4xlarge": 0.768,
  "m6g.large": 0.077,
  "m6g.xlarge": 0.154,
  "m6g.2xlarge": 0.308,
  "m7i.large": 0.1008,
  "m7i.xlarge": 0.2016,
  "m7g.large": 0.0816,
  "m7g.xlarge": 0.1632,
  "c5.large": 0.085,
  "c5.xlarge": 0.17,
  "c5.2xlarge": 0.34,
  "c5.4xlarge": 0.68,
  "c6i.large": 0.085,
  "c6i.xlarge": 0.17,
  "c6i.2xlarge": 0.34,
  "c6i.4xlarge": 0.68,
  "c6g.large": 0.068,
  "c6g.xlarge": 0.136,
  "c6g.2xlarge": 0.272,
  "c7i.large": 0.08925,
  "c7i.xlarge": 0.1785,
  "c7g.large": 0.0725,
  "c7g.xlarge": 0.145,
  "r5.large": 0.126,
  "r5.xlarge": 0.252,
  "r5.2xlarge": 0.504,
  "r6i.large": 0.126,
  "r6i.xlarge": 0.252,
  "r6i.2xlarge": 0.504,
  "r6g.large": 0.1008,
  "r6g.xlarge": 0.2016,
};

/** us-east-1, us-east-2 and us-west-2 share one price list for these types. */
export const HOURLY_PRICES: Record<string, Record<string, number>> = {
  "us-east-1": US,
  "us-east-2": US,
  "us-west-2": US,
};

export function hourlyPrice(region: string, instanceType: string): number | undefined {
  return HOURLY_PRICES[region]?.[instanceType];
}
