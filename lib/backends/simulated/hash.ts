import "server-only";
// Seeded, stateless randomness: every "random" figure in the simulation is a hash of what it is
// about (seed, pool, region, minute …), so the same inputs always draw the same fleet and no
// history needs storing. Never Math.random().

/** murmur3's 32-bit finaliser: cheap and well mixed. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of up to four integers (negative and large values are folded to 32 bits). */
export function hash(a: number, b = 0, c = 0, d = 0): number {
  let h = fmix(a | 0);
  h = fmix((h ^ Math.imul(b | 0, 0x9e3779b1)) + 0x7f4a7c15);
  h = fmix((h ^ Math.imul(c | 0, 0x85ebca77)) + 0x165667b1);
  return fmix((h ^ Math.imul(d | 0, 0xc2b2ae3d)) + 0x27d4eb2f);
}

/** Uniform in [0, 1). */
export function unit(h: number): number {
  return h / 4294967296;
}

/** FNV-1a of a string: turns pool ids and region names into hash inputs. */
export function strHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function hex8(h: number): string {
  return h.toString(16).padStart(8, "0");
}

/** An EC2-looking id ("i-0" + 16 hex digits), unique per (seed, group, sequence number). */
export function instanceId(seed: number, groupKey: number, seq: number): string {
  return `i-0${hex8(hash(seed, groupKey, seq, 1))}${hex8(hash(seed, groupKey, seq, 2))}`;
}

/** A version-4-shaped UUID, as AWS uses for activity and request ids. */
export function uuidLike(seed: number, a: number, b: number): string {
  const h = [1, 2, 3, 4].map((i) => hex8(hash(seed, a, b, i)));
  const [h1 = "", h2 = "", h3 = "", h4 = ""] = h;
  return `${h1}-${h2.slice(0, 4)}-4${h2.slice(5)}-${"89ab"[hash(seed, a, b, 5) % 4]}${h3.slice(1, 4)}-${h3.slice(4)}${h4}`;
}
