// Reads what a dynamic linker needs from a 64-bit little-endian ELF shared object: the machine,
// the DT_NEEDED libraries and the symbol versions it requires (.gnu.version_r). Parsed here, with
// no binutils tool, so the check reads arm64 files on any host the same way.
import { readFileSync } from 'node:fs';

const SHT_DYNAMIC = 6;
const SHT_GNU_VERNEED = 0x6ffffffe;
const DT_NEEDED = 1;

/** ELF e_machine values of the architectures heddle ships. */
export const ELF_MACHINE = { x64: 62, arm64: 183 } as const;

export interface ElfDependencies {
  machine: number;
  /** DT_NEEDED entries, e.g. libc.so.6. */
  needed: string[];
  /** Required symbol versions by library, e.g. { 'libc.so.6': ['GLIBC_2.2.5', 'GLIBC_2.28'] }. */
  versions: Record<string, string[]>;
  /** Section names, e.g. .dynsym, .text (a stripped file has no .symtab). */
  sections: string[];
}

interface Section {
  name: number;
  type: number;
  offset: number;
  size: number;
  link: number;
  entrySize: number;
}

export function readElfDependencies(file: string): ElfDependencies {
  const elf = readFileSync(file);
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error(`${file} is not a 64-bit little-endian ELF file`);
  const machine = elf.readUInt16LE(18);
  const sectionTable = Number(elf.readBigUInt64LE(40));
  const sectionEntrySize = elf.readUInt16LE(58);
  const sectionCount = elf.readUInt16LE(60);
  const sections: Section[] = [];
  for (let i = 0; i < sectionCount; i++) {
    const at = sectionTable + i * sectionEntrySize;
    sections.push({
      name: elf.readUInt32LE(at),
      type: elf.readUInt32LE(at + 4),
      offset: Number(elf.readBigUInt64LE(at + 24)),
      size: Number(elf.readBigUInt64LE(at + 32)),
      link: elf.readUInt32LE(at + 40),
      entrySize: Number(elf.readBigUInt64LE(at + 56)),
    });
  }
  const stringAt = (table: Section, offset: number): string => {
    const start = table.offset + offset;
    return elf.toString('latin1', start, elf.indexOf(0, start));
  };

  const needed: string[] = [];
  const dynamic = sections.find((s) => s.type === SHT_DYNAMIC);
  if (dynamic !== undefined) {
    const strings = sections[dynamic.link]!;
    for (let at = dynamic.offset; at < dynamic.offset + dynamic.size; at += 16) {
      const tag = elf.readBigInt64LE(at);
      if (tag === 0n) break;
      if (tag === BigInt(DT_NEEDED)) needed.push(stringAt(strings, Number(elf.readBigUInt64LE(at + 8))));
    }
  }

  const versions: Record<string, string[]> = {};
  const verneed = sections.find((s) => s.type === SHT_GNU_VERNEED);
  if (verneed !== undefined) {
    const strings = sections[verneed.link]!;
    // Elf64_Verneed: version u16, count u16, file u32, aux u32, next u32;
    // Elf64_Vernaux: hash u32, flags u16, other u16, name u32, next u32.
    for (let need = verneed.offset, guard = 0; guard < 1000; guard++) {
      const count = elf.readUInt16LE(need + 2);
      const library = stringAt(strings, elf.readUInt32LE(need + 4));
      const names: string[] = [];
      for (let aux = need + elf.readUInt32LE(need + 8), i = 0; i < count; i++) {
        names.push(stringAt(strings, elf.readUInt32LE(aux + 8)));
        aux += elf.readUInt32LE(aux + 12);
      }
      versions[library] = names.sort(compareVersionNames);
      const next = elf.readUInt32LE(need + 12);
      if (next === 0) break;
      need += next;
    }
  }
  const names = sections[elf.readUInt16LE(62)]!;
  return { machine, needed, versions, sections: sections.map((section) => stringAt(names, section.name)) };
}

/** Orders GLIBC_2.3 before GLIBC_2.28. */
export function compareVersionNames(a: string, b: string): number {
  const parts = (name: string): number[] => (name.split('_').at(-1) ?? '').split('.').map(Number);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.localeCompare(b);
}
