/**
 * Assembles the WebAssembly text files of the runtime into TypeScript modules holding their bytes, with wabt
 * (the WebAssembly Binary Toolkit). `--check` exits 1 when a committed module differs from its .wat.
 *
 *   npm run assemble [-- --check]
 */
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { basename } from "node:path";
import wabtModule from "wabt";

const sources = [new URL("../packages/fpnn/src/encryption/xor-kernel.wat", import.meta.url).pathname];

const check = process.argv.includes("--check");
const wabt = await wabtModule();
let stale = 0;
for (const source of sources) {
  const target = source.replace(/\.wat$/, "-wasm.ts");
  const parsed = wabt.parseWat(basename(source), readFileSync(source, "utf8"));
  parsed.validate();
  const { buffer } = parsed.toBinary({ write_debug_names: false });
  parsed.destroy();
  const base64 = Buffer.from(buffer).toString("base64");
  const lines = base64.match(/.{1,100}/g)!.map((line) => `  "${line}"`);
  const text = `// Assembled by scripts/assemble-wasm.ts from ${basename(source)} — do not edit.\n\n/** The module's bytes, base64. */\nexport const wasmBase64 =\n${lines.join(" +\n")};\n`;
  if (existsSync(target) && readFileSync(target, "utf8") === text) continue;
  stale++;
  if (check) console.error(`stale: ${target} (run \`npm run assemble\`)`);
  else writeFileSync(target, text);
}
if (check && stale > 0) process.exit(1);
console.log(check ? `assemble: ${sources.length} modules are up to date` : `assemble: ${stale} of ${sources.length} modules written`);
