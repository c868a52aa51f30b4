/**
 * Page titles → file and folder names that are valid on Linux, macOS and Windows, unique among siblings without
 * regard to case or Unicode normalisation, and never able to leave their folder. Pure.
 */
const RESERVED = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³])(\..*)?$/i;
/** Bytes allowed for a name before its extension and suffix (255 is the usual file-name limit). */
const MAX_NAME_BYTES = 180;

function truncateBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/** A safe base name (no extension) for a title. Never empty, never "." or "..", no separators or control chars. */
export function safeName(title: string): string {
  let s = title.normalize('NFC');
  // Control characters are never valid in portable file names.
  // eslint-disable-next-line no-control-regex
  s = s.replace(/[\u0000-\u001f\u007f]/g, '');
  s = s.replace(/[<>:"/\\|?*]/g, '_');
  s = s.replace(/^[\s.]+|[\s.]+$/g, '');
  s = s.replace(/\s+/g, ' ');
  if (RESERVED.test(s)) s = `_${s}`;
  s = truncateBytes(s, MAX_NAME_BYTES).replace(/[\s.]+$/g, '');
  return s || '_untitled';
}

/** Case- and normalisation-insensitive key for sibling uniqueness. */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

export interface NamedNode {
  id: string;
  title: string;
  parentId: string | null;
}

/**
 * Assigns each page a relative path (POSIX, without extension) below its space folder: a page's children live in a
 * folder named like the page. Siblings are named in id order, so a name is stable while the tree does not change;
 * a name already taken among siblings (ignoring case and normalisation) gets a short id suffix.
 * Pages whose parent is not in the set (e.g. the space home's parent) are roots.
 */
export function assignPaths(nodes: readonly NamedNode[]): Map<string, string> {
  const byParent = new Map<string | null, NamedNode[]>();
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) {
    const parent = n.parentId && ids.has(n.parentId) ? n.parentId : null;
    let list = byParent.get(parent);
    if (!list) byParent.set(parent, (list = []));
    list.push(n);
  }
  const out = new Map<string, string>();
  const walk = (parent: string | null, prefix: string, depth: number) => {
    const kids = (byParent.get(parent) ?? []).slice().sort((a, b) => Number(a.id) - Number(b.id) || a.id.localeCompare(b.id));
    const taken = new Set<string>();
    for (const k of kids) {
      let name = safeName(k.title);
      if (taken.has(nameKey(name))) name = `${name} (${k.id.slice(-6)})`;
      while (taken.has(nameKey(name))) name = `${name}_`;
      taken.add(nameKey(name));
      const path = prefix ? `${prefix}/${name}` : name;
      out.set(k.id, path);
      // A cycle in the parent links (a malformed listing) must not recurse forever.
      if (depth < 64) walk(k.id, path, depth + 1);
    }
  };
  walk(null, '', 0);
  return out;
}
