// DuckDB side of bench/journey.sh: the transition counts of order 1 between
// touchpoints, with START, CONVERSION and DROP, by the rules of cxkit's
// default journeys: each customer's interactions ordered by time, and at one
// time a conversion last, then by touchpoint name, then by id (none first),
// then by row: the tie rule that makes cxkit's journeys the same whatever the
// order of the file's rows (issue 14);
// a handled "purchase" ends a journey; a journey converts when its last
// event is that purchase. Window functions over the same CSV file, with the
// thread count given. Prints the load and query times and writes the counts
// as TSV (from, to, count) for the agreement check.
//
// usage: node peers_journey.mjs DATA_DIR THREADS [COUNTS_TSV]
import { DuckDBInstance } from '@duckdb/node-api';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, threads = '1', out] = process.argv.slice(2);
const lit = (s) => `'${s.replace(/'/g, "''")}'`;
const inst = await DuckDBInstance.create(':memory:', { threads });
const con = await inst.connect();

let t0 = performance.now();
// rowid keeps the file order: the row number cxkit breaks the last ties with
await con.run(`CREATE TABLE interactions AS
  SELECT id, customer, touchpoint, time, kind, outcome
  FROM read_csv(${lit(join(dir, 'interactions.csv'))},
    types = {'id': 'VARCHAR', 'customer': 'VARCHAR', 'touchpoint': 'VARCHAR', 'time': 'TIMESTAMPTZ', 'kind': 'VARCHAR',
             'outcome': 'VARCHAR'})`);
const tLoad = (performance.now() - t0) / 1000;

const query = `
WITH e AS (
  SELECT customer, touchpoint, (kind = 'purchase' AND outcome = 'handled') AS conv,
    lag(touchpoint) OVER w AS prev_tp,
    lag(kind = 'purchase' AND outcome = 'handled') OVER w AS prev_conv,
    lead(touchpoint) OVER w AS next_tp
  FROM interactions
  WINDOW w AS (PARTITION BY customer ORDER BY time, (kind = 'purchase' AND outcome = 'handled'), touchpoint,
                id NULLS FIRST, rowid)
),
t AS (
  SELECT CASE WHEN prev_tp IS NULL OR prev_conv THEN 'START' ELSE prev_tp END AS "from", touchpoint AS "to" FROM e
  UNION ALL
  SELECT touchpoint, CASE WHEN conv THEN 'CONVERSION' ELSE 'DROP' END FROM e WHERE conv OR next_tp IS NULL
)
SELECT "from", "to", count(*) AS n FROM t GROUP BY ALL ORDER BY ALL`;
t0 = performance.now();
const res = await con.runAndReadAll(query);
const tQuery = (performance.now() - t0) / 1000;
const rows = res.getRows();
console.log(`duckdb(${threads}t): load ${tLoad.toFixed(3)} s, transition counts ${tQuery.toFixed(3)} s, ${rows.length} transitions`);
console.log(`RESULT duckdb${threads}_load_s=${tLoad.toFixed(4)} duckdb${threads}_transitions_s=${tQuery.toFixed(4)}`);
if (out) writeFileSync(out, rows.map((r) => `${r[0]}\t${r[1]}\t${r[2]}`).join('\n') + '\n');
