// Prints every C++ translation unit of the addon, one per line, for binding.gyp's "sources".
// Globbing here means adding a part to src-native/ never needs a binding.gyp edit.
// Fuzz targets (src-native/**/fuzz_*.cc) have their own main and are built by test/fuzz only.
import { readdirSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = [];
(function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith('.cc') && !entry.name.startsWith('fuzz_')) sources.push(relative(root, path));
  }
})(join(root, 'src-native'));
process.stdout.write(sources.join('\n') + '\n');
