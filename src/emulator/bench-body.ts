/** Deterministic benchmark page bodies (used by the `<N>` seed; generated lazily on first read). */
/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'sync page space version conflict merge local remote draft review release team guide install configure deploy monitor alert backup restore network storage format macro table link image label export import daemon service queue limit retry backoff'.split(' ');

/** A body of roughly `size` bytes with a mix of constructs. */
export function benchBody(seed: number, size: number): string {
  const r = prng(seed);
  const words = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
  const parts: string[] = [];
  let len = 0;
  let i = 0;
  while (len < size) {
    let block: string;
    switch (i++ % 6) {
      case 0:
        block = `<h2>${words(3)}</h2>`;
        break;
      case 1:
        block = `<p>${words(40)} <strong>${words(2)}</strong> ${words(20)}.</p>`;
        break;
      case 2:
        block = `<ul><li>${words(6)}</li><li>${words(8)}</li><li>${words(5)}</li></ul>`;
        break;
      case 3:
        block = `<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[${words(12)}\n${words(9)}]]></ac:plain-text-body></ac:structured-macro>`;
        break;
      case 4:
        block = `<table><tbody><tr><th><p>${words(1)}</p></th><th><p>${words(1)}</p></th></tr><tr><td><p>${words(3)}</p></td><td><p>${words(2)}</p></td></tr></tbody></table>`;
        break;
      default:
        block = `<ac:structured-macro ac:name="info"><ac:rich-text-body><p>${words(25)}</p></ac:rich-text-body></ac:structured-macro>`;
    }
    parts.push(block);
    len += block.length;
  }
  return parts.join('');
}

/** Body size for page i: log-normal-ish around a 5 KB median (1 KB … ~40 KB). */
export function benchSize(i: number): number {
  const r = prng(i * 7919 + 13);
  const z = (r() + r() + r() + r() - 2) * 1.2; // ≈ normal, sd ≈ 0.7
  return Math.max(800, Math.min(40_000, Math.round(5000 * Math.exp(z * 0.7))));
}

