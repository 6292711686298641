// The data library as a WASI program: the `csv` crate 1.1.6 (BurntSushi's reader and writer) and
// `serde_json` 1.0.87, from Debian's librust-csv-dev and librust-serde-json-dev. Built by
// scripts/build-library.mjs.
//
// argv: data METHOD [NAME=VALUE]…, a value that is a list or an object written as JSON: the node
// checks every param before a unit runs (algorithms.ts). The input is a CSV file with a header row
// (stdin); the result is CSV, or JSON (an array of objects) with format=json, on stdout. filter and
// aggregate stream the rows (they hold one row, and aggregate its groups); sort and transform hold
// the table; join (join.rs) streams the rows and holds its right table, one of the job's files
// (/input). A refusal is exit 2 with its message on stdout (what the nodes compare and send back)
// and stderr: a row that fails after others were written leaves them before the message.
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::io::Write;

mod join;

fn fail(message: String) -> ! {
    let line = format!("data: {}\n", message);
    let _ = std::io::stdout().write_all(line.as_bytes());
    let _ = std::io::stderr().write_all(line.as_bytes());
    std::process::exit(2)
}

/// A cell as the result holds it: text, a number (an aggregate, or a cast), or none (a left join's
/// right cells of a row that joined none: empty in CSV, null in JSON).
#[derive(Clone)]
enum Cell {
    Text(String),
    Int(i64),
    Float(f64),
    Null,
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => float_text(*f),
            Cell::Null => String::new(),
        }
    }
    fn json(&self) -> Value {
        match self {
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Int(i) => Value::from(*i),
            Cell::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Cell::Null => Value::Null,
        }
    }
}

/// A float as the shortest text that reads back as it (Rust's own), integers without ".0".
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{}", f)
    }
}

struct Table {
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    fn index(&self, column: &str) -> usize {
        index_of(&self.columns, column)
    }
    fn write(&self, format: &str) {
        let mut out = Out::start(self.columns.clone(), format);
        for row in &self.rows {
            out.row(row);
        }
        out.finish();
    }
}

fn number(cell: &Cell, column: &str, row: usize) -> f64 {
    match cell {
        Cell::Int(i) => *i as f64,
        Cell::Float(f) => *f,
        Cell::Text(_) | Cell::Null => {
            let s = cell.text();
            s.trim()
                .parse::<f64>()
                .unwrap_or_else(|_| fail(format!("row {}: column {:?} is not a number: {:?}", row + 1, column, s)))
        }
    }
}

/// The CSV on stdin: its header row, and its rows one at a time (a method that streams holds one).
struct Rows {
    columns: Vec<String>,
    reader: csv::Reader<std::io::StdinLock<'static>>,
}

impl Rows {
    fn open() -> Rows {
        let stdin: &'static std::io::Stdin = Box::leak(Box::new(std::io::stdin()));
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(stdin.lock());
        let columns: Vec<String> = reader
            .headers()
            .unwrap_or_else(|e| fail(format!("cannot read the header row: {}", e)))
            .iter()
            .map(String::from)
            .collect();
        Rows { columns, reader }
    }
    fn index(&self, column: &str) -> usize {
        index_of(&self.columns, column)
    }
    /// Each row's cells, in order; a malformed row stops the run with its message.
    fn each(&mut self, mut f: impl FnMut(usize, Vec<Cell>)) {
        let mut record = csv::StringRecord::new();
        let mut row = 0;
        while self
            .reader
            .read_record(&mut record)
            .unwrap_or_else(|e| fail(format!("the CSV is malformed: {}", e)))
        {
            f(row, record.iter().map(|s| Cell::Text(s.to_string())).collect());
            row += 1;
        }
    }
    fn table(mut self) -> Table {
        let mut rows = Vec::new();
        self.each(|_, cells| rows.push(cells));
        Table { columns: self.columns, rows }
    }
}

fn index_of(columns: &[String], column: &str) -> usize {
    columns
        .iter()
        .position(|c| c == column)
        .unwrap_or_else(|| fail(format!("no column {:?}: the columns are {:?}", column, columns)))
}

/// The result as it is written: CSV rows, or the objects of a JSON array, one at a time.
struct Out {
    columns: Vec<String>,
    rows: usize,
    sink: Sink,
}

enum Sink {
    Csv(csv::Writer<std::io::BufWriter<std::io::Stdout>>),
    Json(std::io::BufWriter<std::io::Stdout>),
}

fn wrote<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| fail(format!("cannot write the result: {}", e)))
}

impl Out {
    fn start(columns: Vec<String>, format: &str) -> Out {
        let out = std::io::BufWriter::new(std::io::stdout());
        let sink = if format == "json" {
            Sink::Json(out)
        } else {
            let mut csv = csv::Writer::from_writer(out);
            wrote(csv.write_record(&columns));
            Sink::Csv(csv)
        };
        Out { columns, rows: 0, sink }
    }
    fn row(&mut self, cells: &[Cell]) {
        match &mut self.sink {
            Sink::Csv(csv) => wrote(csv.write_record(cells.iter().map(Cell::text))),
            Sink::Json(out) => {
                let mut object = Map::new();
                for (column, cell) in self.columns.iter().zip(cells) {
                    object.insert(column.clone(), cell.json());
                }
                wrote(out.write_all(if self.rows == 0 { b"[" } else { b"," }));
                wrote(serde_json::to_writer(&mut *out, &Value::Object(object)));
            }
        }
        self.rows += 1;
    }
    fn finish(self) {
        match self.sink {
            Sink::Csv(csv) => wrote(wrote(csv.into_inner()).flush()),
            Sink::Json(mut out) => {
                wrote(out.write_all(if self.rows == 0 { b"[]\n" } else { b"]\n" }));
                wrote(out.flush());
            }
        }
    }
}

struct Params(Vec<(String, String)>);

impl Params {
    fn text(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    fn needed(&self, name: &str) -> &str {
        self.text(name).unwrap_or_else(|| fail(format!("param {} is missing", name)))
    }
    fn json(&self, name: &str) -> Option<Value> {
        self.text(name)
            .map(|v| serde_json::from_str(v).unwrap_or_else(|e| fail(format!("param {} is not JSON: {}", name, e))))
    }
}

fn filter(mut rows: Rows, p: &Params) {
    let column = p.needed("column").to_string();
    let op = p.needed("op").to_string();
    let at = rows.index(&column);
    let value = p.needed("value").to_string();
    let numeric = p.text("numeric") == Some("true");
    let target = if numeric {
        value.parse::<f64>().unwrap_or_else(|_| fail(format!("param value is not a number: {}", value)))
    } else {
        0.0
    };
    let mut out = Out::start(rows.columns.clone(), p.text("format").unwrap_or("csv"));
    rows.each(|row, cells| {
        let ord = if numeric {
            number(&cells[at], &column, row).partial_cmp(&target).unwrap_or(Ordering::Less)
        } else {
            cells[at].text().as_str().cmp(value.as_str())
        };
        let keep = match op.as_str() {
            "eq" => ord == Ordering::Equal,
            "ne" => ord != Ordering::Equal,
            "lt" => ord == Ordering::Less,
            "le" => ord != Ordering::Greater,
            "gt" => ord == Ordering::Greater,
            "ge" => ord != Ordering::Less,
            "contains" => cells[at].text().contains(value.as_str()),
            other => fail(format!("unknown op {}", other)),
        };
        if keep {
            out.row(&cells);
        }
    });
    out.finish();
}

/// One aggregate's running state over a group.
#[derive(Clone, Default)]
struct Acc {
    sum: f64,
    count: u64,
    min: Option<f64>,
    max: Option<f64>,
}

fn aggregate(mut rows: Rows, p: &Params) -> Table {
    let by: Vec<String> = serde_json::from_value(p.json("group_by").unwrap_or(Value::Array(vec![])))
        .unwrap_or_else(|e| fail(format!("param group_by: {}", e)));
    let specs = match p.json("aggregates") {
        Some(Value::Array(a)) => a,
        _ => fail("param aggregates is missing".to_string()),
    };
    let keys: Vec<usize> = by.iter().map(|c| rows.index(c)).collect();
    let mut wanted = Vec::new();
    for spec in &specs {
        let column = spec["column"].as_str().unwrap_or("").to_string();
        let func = spec["fn"].as_str().unwrap_or("").to_string();
        let named = || if column.is_empty() { func.clone() } else { format!("{}_{}", func, column) };
        let name = spec["as"].as_str().map_or_else(named, String::from);
        let at = if func == "count" && column.is_empty() { None } else { Some(rows.index(&column)) };
        wanted.push((column, func, name, at));
    }
    // Groups in the order of their keys' text (BTreeMap): one order on every node.
    let mut groups: BTreeMap<Vec<String>, Vec<Acc>> = BTreeMap::new();
    rows.each(|row, cells| {
        let key: Vec<String> = keys.iter().map(|&k| cells[k].text()).collect();
        let accs = groups.entry(key).or_insert_with(|| vec![Acc::default(); wanted.len()]);
        for (acc, (column, _, _, at)) in accs.iter_mut().zip(&wanted) {
            acc.count += 1;
            if let Some(at) = at {
                let x = number(&cells[*at], column, row);
                acc.sum += x;
                acc.min = Some(acc.min.map_or(x, |m| m.min(x)));
                acc.max = Some(acc.max.map_or(x, |m| m.max(x)));
            }
        }
    });
    let mut columns = by.clone();
    columns.extend(wanted.iter().map(|w| w.2.clone()));
    let rows = groups
        .into_iter()
        .map(|(key, accs)| {
            let mut cells: Vec<Cell> = key.into_iter().map(Cell::Text).collect();
            for (acc, (_, func, _, _)) in accs.iter().zip(&wanted) {
                cells.push(match func.as_str() {
                    "count" => Cell::Int(acc.count as i64),
                    "sum" => Cell::Float(acc.sum),
                    "mean" => Cell::Float(acc.sum / acc.count as f64),
                    "min" => Cell::Float(acc.min.unwrap_or(f64::NAN)),
                    "max" => Cell::Float(acc.max.unwrap_or(f64::NAN)),
                    other => fail(format!("unknown aggregate {}", other)),
                });
            }
            cells
        })
        .collect();
    Table { columns, rows }
}

fn sort(mut t: Table, p: &Params) -> Table {
    let keys = match p.json("by") {
        Some(Value::Array(a)) => a,
        _ => fail("param by is missing".to_string()),
    };
    let keys: Vec<(usize, String, bool, bool)> = keys
        .iter()
        .map(|k| {
            let column = k["column"].as_str().unwrap_or("").to_string();
            (t.index(&column), column, k["descending"] == Value::Bool(true), k["numeric"] == Value::Bool(true))
        })
        .collect();
    // Each row's keys, computed once (a number parsed, a text taken), then a stable sort on them:
    // rows that compare equal keep their order.
    let mut keyed: Vec<(Vec<Key>, Vec<Cell>)> = t
        .rows
        .drain(..)
        .enumerate()
        .map(|(row, cells)| {
            let k = keys
                .iter()
                .map(|(at, column, _, numeric)| {
                    if *numeric {
                        Key::Number(number(&cells[*at], column, row))
                    } else {
                        Key::Text(cells[*at].text())
                    }
                })
                .collect();
            (k, cells)
        })
        .collect();
    keyed.sort_by(|(a, _), (b, _)| {
        for (i, (_, _, descending, _)) in keys.iter().enumerate() {
            let ord = match (&a[i], &b[i]) {
                (Key::Number(x), Key::Number(y)) => x.total_cmp(y),
                (Key::Text(x), Key::Text(y)) => x.cmp(y),
                _ => Ordering::Equal,
            };
            let ord = if *descending { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
    t.rows = keyed.into_iter().map(|(_, cells)| cells).collect();
    t
}

enum Key {
    Number(f64),
    Text(String),
}

fn transform(t: Table, p: &Params) -> Table {
    let mut t = t;
    if let Some(Value::Object(casts)) = p.json("cast") {
        for (column, to) in casts {
            let at = t.index(&column);
            for (row, cells) in t.rows.iter_mut().enumerate() {
                let x = &cells[at];
                cells[at] = match to.as_str() {
                    Some("int") => Cell::Int(x.text().trim().parse::<i64>().unwrap_or_else(|_| {
                        fail(format!("row {}: column {:?} is not an integer: {:?}", row + 1, column, x.text()))
                    })),
                    Some("float") => Cell::Float(number(x, &column, row)),
                    Some("string") => Cell::Text(x.text()),
                    _ => fail(format!("cast of {}: to int, float or string", column)),
                };
            }
        }
    }
    if let Some(Value::Array(select)) = p.json("select") {
        let picked: Vec<usize> = select.iter().map(|c| t.index(c.as_str().unwrap_or(""))).collect();
        t = Table {
            columns: picked.iter().map(|&i| t.columns[i].clone()).collect(),
            rows: t.rows.iter().map(|r| picked.iter().map(|&i| r[i].clone()).collect()).collect(),
        };
    }
    if let Some(Value::Object(rename)) = p.json("rename") {
        for (from, to) in rename {
            let at = t.index(&from);
            t.columns[at] = to.as_str().unwrap_or("").to_string();
        }
    }
    t
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let method = args.get(1).cloned().unwrap_or_default();
    let params = Params(
        args.iter()
            .skip(2)
            .map(|a| match a.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => fail(format!("an arg is not NAME=VALUE: {}", a)),
            })
            .collect(),
    );
    let rows = Rows::open();
    let format = params.text("format").unwrap_or("csv").to_string();
    match method.as_str() {
        "filter" => filter(rows, &params),
        "aggregate" => aggregate(rows, &params).write(&format),
        "sort" => sort(rows.table(), &params).write(&format),
        "transform" => transform(rows.table(), &params).write(&format),
        "join" => join::join(rows, &params),
        other => fail(format!("unknown method \"{}\"", other)),
    }
}
