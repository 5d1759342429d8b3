// DuckDB side of bench/metrics.sh: loads the CSV files the scorecard needs
// into tables with read_csv (only the columns used), then computes NPS,
// CSAT %, mean CES, FCR % and the median and p90 resolution time by channel
// in one SQL query, with the rules of cxkit (see bench/peers_metrics.py),
// with the thread count given. Prints the times and the table, and writes
// the table to TABLE_TSV for the agreement check.
//
// usage: node peers_metrics.mjs DATA_DIR THREADS [REPEATS [TABLE_TSV]]
import { DuckDBInstance } from '@duckdb/node-api';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, threads = '1', repeatsArg = '5', out] = process.argv.slice(2);
const repeats = Math.max(1, parseInt(repeatsArg, 10) || 5);
const FIELDS = ['nps', 'nps_n', 'csat', 'csat_n', 'ces', 'ces_n', 'fcr', 'fcr_n',
  'resolution_n', 'resolution_median', 'resolution_p90'];
const lit = (s) => `'${s.replace(/'/g, "''")}'`;
const csv = (name) => lit(join(dir, name + '.csv'));

const inst = await DuckDBInstance.create(':memory:', { threads });
const con = await inst.connect();

// Loading: feedback's interaction column holds the id of an interaction.
const loads = [
  ['touchpoints', `SELECT name, channel FROM read_csv(${csv('touchpoints')})`],
  ['questions', `SELECT name, metric, scale_min::DOUBLE AS lo, scale_max::DOUBLE AS hi, higher_is_better AS hib
                 FROM read_csv(${csv('questions')})`],
  ['cases', `SELECT id, channel, opened, resolved, reopens, contacts FROM read_csv(${csv('cases')},
             types = {'opened': 'TIMESTAMPTZ', 'resolved': 'TIMESTAMPTZ', 'reopens': 'BIGINT', 'contacts': 'BIGINT'})`],
  ['interactions', `SELECT id, touchpoint FROM read_csv(${csv('interactions')},
                    types = {'id': 'VARCHAR', 'touchpoint': 'VARCHAR'})`],
  ['feedback', `SELECT question, score, touchpoint, interaction, "case" FROM read_csv(${csv('feedback')},
                types = {'score': 'DOUBLE', 'touchpoint': 'VARCHAR', 'interaction': 'VARCHAR', 'case': 'VARCHAR'})`],
];
let tLoad = 0;
const cpu0 = process.cpuUsage();
for (const [name, sql] of loads) {
  const t0 = performance.now();
  await con.run(`CREATE TABLE "${name}" AS ${sql}`);
  const dt = (performance.now() - t0) / 1000;
  tLoad += dt;
  const n = Number((await con.runAndReadAll(`SELECT count(*) FROM "${name}"`)).getRows()[0][0]);
  console.log(`  duckdb(${threads}t) load ${name.padEnd(13)} ${String(n).padStart(10)} rows ${dt.toFixed(3).padStart(7)} s`);
}

const query = `
WITH q AS (
  SELECT * FROM (VALUES ('nps', 'nps', 0.0, 10.0, 1), ('csat', 'csat', 1.0, 5.0, 1), ('ces', 'ces', 1.0, 7.0, 1))
    AS b(name, metric, lo, hi, hib)
  WHERE name NOT IN (SELECT name FROM questions)
  UNION ALL SELECT name, metric, lo, hi, hib FROM questions
),
-- the touchpoint of the interaction of each answer that has no touchpoint of its own
-- (an inner join on the few such answers: a LEFT JOIN of all answers with the
-- interactions would scan the whole interactions table every time)
il AS (
  SELECT f.rowid AS fr, i.touchpoint
  FROM feedback f JOIN interactions i ON i.id = f.interaction
  WHERE f.touchpoint IS NULL
),
f AS (
  SELECT coalesce(t.channel, c.channel, '(none)') AS ch, q.metric, f.score AS v,
         CASE WHEN q.hib = 1 THEN f.score ELSE q.lo + q.hi - f.score END AS o, q.lo, q.hi
  FROM feedback f
  JOIN q ON q.name = f.question
  LEFT JOIN il ON il.fr = f.rowid
  LEFT JOIN touchpoints t ON t.name = coalesce(f.touchpoint, il.touchpoint)
  LEFT JOIN cases c ON c.id = f."case"
  WHERE q.metric IN ('nps', 'csat', 'ces')
),
fa AS (
  SELECT ch,
    count(*) FILTER (WHERE metric = 'nps') AS nps_n,
    100.0 * (count(*) FILTER (WHERE metric = 'nps' AND v >= 9) - count(*) FILTER (WHERE metric = 'nps' AND v <= 6))
      / nullif(count(*) FILTER (WHERE metric = 'nps'), 0) AS nps,
    count(*) FILTER (WHERE metric = 'csat') AS csat_n,
    100.0 * count(*) FILTER (WHERE metric = 'csat' AND o >= hi - 1) / nullif(count(*) FILTER (WHERE metric = 'csat'), 0) AS csat,
    count(*) FILTER (WHERE metric = 'ces') AS ces_n,
    avg(1 + (o - lo) * 6 / (hi - lo)) FILTER (WHERE metric = 'ces') AS ces
  FROM f GROUP BY ch
),
ca AS (
  SELECT channel AS ch, count(*) AS fcr_n,
    100.0 * count(*) FILTER (WHERE contacts <= 1 AND reopens <= 0) / count(*) AS fcr,
    quantile_cont(greatest(epoch_ms(resolved) - epoch_ms(opened), 0), [0.5, 0.9]) AS qs
  FROM cases WHERE resolved IS NOT NULL GROUP BY channel
)
SELECT coalesce(fa.ch, ca.ch) AS channel,
  fa.nps, coalesce(fa.nps_n, 0) AS nps_n, fa.csat, coalesce(fa.csat_n, 0) AS csat_n,
  fa.ces, coalesce(fa.ces_n, 0) AS ces_n, ca.fcr, coalesce(ca.fcr_n, 0) AS fcr_n,
  coalesce(ca.fcr_n, 0) AS resolution_n, ca.qs[1] AS resolution_median, ca.qs[2] AS resolution_p90
FROM fa FULL OUTER JOIN ca ON fa.ch = ca.ch
ORDER BY channel`;

const times = [];
let cpuTotal = 0; // CPU seconds of all threads, load + first query
let rows;
for (let k = 0; k < repeats; k++) {
  const t0 = performance.now();
  const r = await con.runAndReadAll(query);
  rows = r.getRowObjects();
  times.push((performance.now() - t0) / 1000);
  if (k === 0) {
    const c = process.cpuUsage(cpu0);
    cpuTotal = (c.user + c.system) / 1e6;
  }
}
const first = times[0];
const sorted = [...times].sort((a, b) => a - b);
const best = sorted[0];
const median = repeats % 2 ? sorted[(repeats - 1) / 2] : (sorted[repeats / 2 - 1] + sorted[repeats / 2]) / 2;
console.log(`  duckdb(${threads}t) load ${tLoad.toFixed(3)} s; query: first ${first.toFixed(3)} s, best of ${repeats} ` +
  `${best.toFixed(4)} s, median ${median.toFixed(4)} s; load + query ${(tLoad + first).toFixed(3)} s`);

const num = (v) => (v === null || v === undefined ? NaN : Number(v));
const f = (v, w, p) => (Number.isNaN(v) ? 'nan' : v.toFixed(p)).padStart(w);
const version = (await con.runAndReadAll('SELECT version()')).getRows()[0][0];
console.log(`\nduckdb ${version} (${threads} thread${threads === '1' ? '' : 's'}): scorecard by channel (${rows.length} groups)`);
console.log(`  ${'channel'.padEnd(13)} ${'NPS'.padStart(7)} ${'n'.padStart(8)} ${'CSAT%'.padStart(7)} ${'n'.padStart(8)} ` +
  `${'CES'.padStart(6)} ${'n'.padStart(8)} ${'FCR%'.padStart(6)} ${'n'.padStart(7)} ${'res n'.padStart(8)} ` +
  `${'median h'.padStart(9)} ${'p90 h'.padStart(9)}`);
for (const r of rows) {
  const v = Object.fromEntries(FIELDS.map((k) => [k, num(r[k])]));
  console.log(`  ${String(r.channel).padEnd(13)} ${f(v.nps, 7, 2)} ${f(v.nps_n, 8, 0)} ${f(v.csat, 7, 2)} ` +
    `${f(v.csat_n, 8, 0)} ${f(v.ces, 6, 3)} ${f(v.ces_n, 8, 0)} ${f(v.fcr, 6, 2)} ${f(v.fcr_n, 7, 0)} ` +
    `${f(v.resolution_n, 8, 0)} ${f(v.resolution_median / 3.6e6, 9, 3)} ${f(v.resolution_p90 / 3.6e6, 9, 3)}`);
}
if (out) {
  const lines = ['channel\t' + FIELDS.join('\t')];
  for (const r of rows)
    lines.push(r.channel + FIELDS.map((k) => '\t' + (Number.isNaN(num(r[k])) ? 'nan' : String(num(r[k])))).join(''));
  writeFileSync(out, lines.join('\n') + '\n');
}
console.log(`RESULT duckdb${threads}_total_s=${(tLoad + first).toFixed(4)} duckdb${threads}_load_s=${tLoad.toFixed(4)} ` +
  `duckdb${threads}_query_best_s=${best.toFixed(5)} duckdb${threads}_query_median_s=${median.toFixed(5)} duckdb${threads}_total_cpu_s=${cpuTotal.toFixed(4)}`);
