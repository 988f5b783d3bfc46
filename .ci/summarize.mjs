// Sums the test counts printed by every runner in `npm test` into one line "N passed, N failed".
// Hardhat: "12 passing (5 solidity, 7 mocha)" and "1 failing (1 mocha)".
// Node's test runner: "# pass 30" and "# fail 0" (one pair per workspace).
// Exits non-zero when anything failed, when the test command failed, or when no test ran at all.
import { readFileSync } from "node:fs";

const [logPath, statusArg] = process.argv.slice(2);
const text = readFileSync(logPath, "utf8").replace(/\x1b\[[0-9;]*m/g, "");
let passed = 0;
let failed = 0;
// Only Hardhat's own summary (unindented, split by runner); mocha's indented "N passing (2s)" is inside it.
for (const m of text.matchAll(/^(\d+) passing \(\d+ (?:solidity|mocha)/gm)) passed += Number(m[1]);
for (const m of text.matchAll(/^(\d+) failing \(\d+ (?:solidity|mocha)/gm)) failed += Number(m[1]);
for (const m of text.matchAll(/^# pass (\d+)$/gm)) passed += Number(m[1]);
for (const m of text.matchAll(/^# fail (\d+)$/gm)) failed += Number(m[1]);

const status = Number(statusArg);
// A command that failed without reporting a failing test (a build error, a crash) still counts as a failure.
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
