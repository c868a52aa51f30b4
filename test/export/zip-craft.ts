/**
 * Hand-made zip files for the hostile-archive tests: yazl (rightly) refuses to write "../x" or "/x", so these bytes
 * are laid out here, entry by entry (stored, no compression), with whatever names, modes and sizes a test asks for.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface CraftEntry {
  name: string;
  data?: string | Buffer;
  /** Unix mode (e.g. 0o120777 for a symlink); default a regular file 0o100644. */
  mode?: number;
  /** Lie about the uncompressed size in the headers (zip-bomb shapes). */
  declaredSize?: number;
  /** Raw name bytes (non-UTF-8 names). */
  rawName?: Buffer;
  /** Store the data deflated (method 8). */
  deflate?: boolean;
}

export function craftZip(entries: CraftEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const plain = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? 'x');
    const data = e.deflate ? deflateRawSync(plain) : plain;
    const name = e.rawName ?? Buffer.from(e.name, 'utf8');
    const crc = crc32(plain) >>> 0;
    const size = e.declaredSize ?? plain.length;
    const flags = e.rawName ? 0 : 0x800;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix: the external attributes carry the mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(e.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
