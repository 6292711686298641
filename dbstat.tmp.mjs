import Database from 'better-sqlite3';
const db = new Database(process.argv[2], { readonly: true });
const rows = db.prepare("SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC").all();
for (const r of rows) console.log(r.name.padEnd(30), r.bytes, (r.bytes/3000).toFixed(0));
console.log(db.prepare('SELECT COUNT(*) n, AVG(count) avg FROM event_batches').get());
