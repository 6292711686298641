// Makes the Jazzer.js fuzzer's prebuilt addon load on glibc 2.36 (Debian 12, our machines and CI).
// The addon ships inside its npm package, built against glibc 2.38 and GCC 13's libstdc++, and
// needs from them only three symbols: the C23 `strtol`/`strtoul` (which differ from the classic
// ones only in reading a "0b" prefix; libFuzzer uses them to read its own -flags) and
// `std::ios_base_library_init`, which nothing calls (GCC 13's <iostream> names it only so that the
// linker pulls in the library's stream set-up; Node already links libstdc++). So, in the
// addon's dynamic symbol table: the two C23 names are pointed at the classic functions (their
// names are suffixes of the C23 ones), the third is left unversioned, and the two version
// requirements no longer needed are marked weak, as ld.so allows. Runs after `npm install`; does
// nothing elsewhere or when already done.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const SHT_DYNSYM = 11;
const SHT_GNU_VERNEED = 0x6ffffffe;
const SHT_GNU_VERSYM = 0x6fffffff;
const VER_FLG_WEAK = 0x2;
const VERSYM_GLOBAL = 1;
const C23_PREFIX = '__isoc23_';
const UNCALLED = '_ZSt21ios_base_library_initv';
const NEWER_VERSIONS = new Set(['GLIBC_2.38', 'GLIBCXX_3.4.32']);

function addonPath() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  const glibc = process.report.getReport().header.glibcVersionRuntime;
  if (glibc === undefined || Number(glibc.split('.')[1]) >= 38) return undefined;
  try {
    const fuzzer = dirname(createRequire(import.meta.url).resolve('@jazzer.js/fuzzer/package.json'));
    const path = join(fuzzer, 'prebuilds', 'fuzzer-linux-x64.node');
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined; // not installed (npm install --omit=dev)
  }
}

/** Patches the ELF image in place; returns what it changed. */
function patch(elf) {
  const sectionAt = Number(elf.readBigUInt64LE(0x28));
  const sectionSize = elf.readUInt16LE(0x3a);
  const sections = Array.from({ length: elf.readUInt16LE(0x3c) }, (_, i) => {
    const at = sectionAt + i * sectionSize;
    return {
      type: elf.readUInt32LE(at + 4),
      offset: Number(elf.readBigUInt64LE(at + 0x18)),
      size: Number(elf.readBigUInt64LE(at + 0x20)),
      link: elf.readUInt32LE(at + 0x28),
    };
  });
  const dynsym = sections.find((s) => s.type === SHT_DYNSYM);
  const versym = sections.find((s) => s.type === SHT_GNU_VERSYM);
  const verneed = sections.find((s) => s.type === SHT_GNU_VERNEED);
  const strings = sections[dynsym.link].offset;
  const name = (offset) => elf.toString('latin1', strings + offset, elf.indexOf(0, strings + offset));

  const versions = new Map(); // version index → { name, flagsAt }
  for (let need = verneed.offset; ;) {
    for (let aux = need + elf.readUInt32LE(need + 8), n = elf.readUInt16LE(need + 2); n > 0; n--) {
      versions.set(elf.readUInt16LE(aux + 6), { name: name(elf.readUInt32LE(aux + 8)), flagsAt: aux + 4 });
      aux += elf.readUInt32LE(aux + 12);
    }
    const next = elf.readUInt32LE(need + 12);
    if (next === 0) break;
    need += next;
  }
  const classic = [...versions].find(([, v]) => v.name === 'GLIBC_2.2.5')[0];

  const changed = [];
  for (let i = 0; i < dynsym.size / 24; i++) {
    const at = dynsym.offset + i * 24;
    const symbol = name(elf.readUInt32LE(at));
    if (symbol.startsWith(C23_PREFIX)) {
      elf.writeUInt32LE(elf.readUInt32LE(at) + C23_PREFIX.length, at);
      elf.writeUInt16LE(classic, versym.offset + i * 2);
      changed.push(`${symbol} → ${symbol.slice(C23_PREFIX.length)}@GLIBC_2.2.5`);
    } else if (symbol === UNCALLED && elf.readUInt16LE(versym.offset + i * 2) !== VERSYM_GLOBAL) {
      elf.writeUInt16LE(VERSYM_GLOBAL, versym.offset + i * 2);
      changed.push(`${symbol} unversioned`);
    }
  }
  for (const { name: version, flagsAt } of versions.values()) {
    const flags = elf.readUInt16LE(flagsAt);
    if (NEWER_VERSIONS.has(version) && !(flags & VER_FLG_WEAK)) {
      elf.writeUInt16LE(flags | VER_FLG_WEAK, flagsAt);
      changed.push(`${version} weak`);
    }
  }
  return changed;
}

const path = addonPath();
if (path !== undefined) {
  const elf = readFileSync(path);
  const changed = patch(elf);
  if (changed.length > 0) {
    writeFileSync(path, elf);
    console.log(`jazzer-glibc-compat: ${changed.join(', ')}`);
  }
}
