// DuckDB side of bench/import.sh: loads the same CSV files into tables with
// read_csv (types inferred), with the thread count given, and prints seconds.
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const [dir, threads] = [process.argv[2], process.argv[3] || '1'];
const inst = await DuckDBInstance.create(':memory:', { threads });
const con = await inst.connect();
let total = 0, rows = 0;
for (const name of ['customers', 'touchpoints', 'cases', 'interactions', 'questions', 'feedback', 'transactions']) {
  const path = join(dir, name + '.csv');
  if (!existsSync(path)) continue;
  const t0 = performance.now();
  await con.run(`CREATE TABLE "${name}" AS SELECT * FROM read_csv('${path.replace(/'/g, "''")}')`);
  const dt = (performance.now() - t0) / 1000;
  const n = Number((await con.runAndReadAll(`SELECT count(*) FROM "${name}"`)).getRows()[0][0]);
  total += dt;
  rows += n;
  console.log(`  duckdb(${threads}t) read_csv ${name.padEnd(13)} ${String(n).padStart(10)} rows ${dt.toFixed(3).padStart(7)} s`);
}
console.log(`  duckdb(${threads}t) read_csv ${'all'.padEnd(13)} ${String(rows).padStart(10)} rows ${total.toFixed(3).padStart(7)} s`);
console.log(`RESULT duckdb${threads}_s=${total.toFixed(3)}`);
