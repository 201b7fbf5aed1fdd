// Which partition Event Hubs gives an event sent with a partition key. The service hashes the key's UTF-8
// bytes with Bob Jenkins' lookup3 (hashlittle2, both seeds 0), folds the two 32-bit results into a signed
// 16-bit number (c XOR b) and takes its absolute remainder by the partition count. The real SDK's buffered
// producer predicts partitions the same way; a test checks this copy against it for many keys. Written here
// from the published algorithm, so the stand-in places keyed events where a real hub would.

/** The partition index (0-based) that `partitionKey` maps to in a hub of `partitionCount` partitions. */
export function partitionIndexForKey(partitionKey: string, partitionCount: number): number {
  const { b, c } = lookup3(Buffer.from(partitionKey, 'utf8'));
  const folded = ((c ^ b) << 16) >> 16; // to a signed 16-bit number
  return Math.abs(folded % partitionCount);
}

const rotate = (value: number, bits: number) => (value << bits) | (value >>> (32 - bits));

/** hashlittle2 with both seeds 0: the two 32-bit words b and c, unsigned. */
function lookup3(data: Buffer): { b: number; c: number } {
  let a = (0xdeadbeef + data.length) | 0;
  let b = a;
  let c = a;
  let offset = 0;
  let left = data.length;
  const word = (at: number) => data.readUInt32LE(at) | 0;
  while (left > 12) {
    a = (a + word(offset)) | 0;
    b = (b + word(offset + 4)) | 0;
    c = (c + word(offset + 8)) | 0;
    // mix(a, b, c)
    a = (a - c) | 0; a ^= rotate(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rotate(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rotate(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rotate(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rotate(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rotate(b, 4); b = (b + a) | 0;
    offset += 12;
    left -= 12;
  }
  if (left === 0) return { b: b >>> 0, c: c >>> 0 };
  // The last 1 to 12 bytes, little-endian, into a, b and c (zero-padded).
  const tail = Buffer.alloc(12);
  data.copy(tail, 0, offset);
  a = (a + (tail.readUInt32LE(0) | 0)) | 0;
  if (left > 4) b = (b + (tail.readUInt32LE(4) | 0)) | 0;
  if (left > 8) c = (c + (tail.readUInt32LE(8) | 0)) | 0;
  // final(a, b, c)
  c ^= b; c = (c - rotate(b, 14)) | 0;
  a ^= c; a = (a - rotate(c, 11)) | 0;
  b ^= a; b = (b - rotate(a, 25)) | 0;
  c ^= b; c = (c - rotate(b, 16)) | 0;
  a ^= c; a = (a - rotate(c, 4)) | 0;
  b ^= a; b = (b - rotate(a, 14)) | 0;
  c ^= b; c = (c - rotate(b, 24)) | 0;
  return { b: b >>> 0, c: c >>> 0 };
}
