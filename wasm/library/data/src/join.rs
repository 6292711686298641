// join: the rows of stdin (the left table, streamed) with those of a right table, a CSV file among
// the job's files (/input/NAME, the same in every unit), held whole. Keys are compared as text,
// byte for byte (as SQLite compares imported CSV columns). The result is every left column, then
// every right column but its key (equal to the left's on every joined row); a right column whose
// name is taken gets "_right" (again, until it is free). Rows come in the left's order, and for
// each left row its right rows in the right file's order; `how=left` keeps a left row that has
// none, its right cells empty (null in JSON). Right and full joins are not offered: a unit sees
// one part of the left table, so it cannot know which right rows no unit joined.
use crate::{fail, Cell, Out, Params, Rows};
use serde_json::Value;

/// The most bytes of right table a unit holds: its text, a u32 a cell and one a row fit well
/// inside a unit's 64 MiB (the job's files are at most this anyway, MAX_WASI_FILES_BYTES).
const MAX_RIGHT_BYTES: u64 = 4 * 1024 * 1024;

/// The right table held compactly: its cells' text in one string, each cell's end in `ends` (a
/// row's cells are `width` ends in a row), and its rows sorted by key, equal keys in file order.
struct Right {
    columns: Vec<String>,
    text: String,
    ends: Vec<u32>,
    order: Vec<u32>,
    key: usize,
}

impl Right {
    fn read(name: &str, on: &str) -> Right {
        let path = format!("/input/{}", name);
        let size = match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => meta.len(),
            Ok(_) => fail(format!("the right table {:?} is not a file", name)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => fail(format!(
                "the right table {:?} is not among the job's files (/input)",
                name
            )),
            Err(e) => fail(format!("cannot read the right table {:?}: {}", name, e)),
        };
        if size > MAX_RIGHT_BYTES {
            fail(format!(
                "the right table {:?} is {} bytes, over the {} a join holds in a unit's memory",
                name, size, MAX_RIGHT_BYTES
            ));
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_path(&path)
            .unwrap_or_else(|e| fail(format!("cannot read the right table {:?}: {}", name, e)));
        let malformed = |e: csv::Error| -> ! { fail(format!("the right table {:?} is malformed: {}", name, e)) };
        let columns: Vec<String> = reader
            .headers()
            .unwrap_or_else(|e| malformed(e))
            .iter()
            .map(String::from)
            .collect();
        let key = column(&columns, on, "right");
        let mut right = Right {
            columns,
            text: String::new(),
            ends: Vec::new(),
            order: Vec::new(),
            key,
        };
        let mut record = csv::StringRecord::new();
        let mut rows = 0u32;
        while reader.read_record(&mut record).unwrap_or_else(|e| malformed(e)) {
            for cell in record.iter() {
                right.text.push_str(cell);
                right.ends.push(right.text.len() as u32);
            }
            right.order.push(rows);
            rows += 1;
        }
        // Stable: rows of one key stay in the file's order.
        let mut order = std::mem::take(&mut right.order);
        order.sort_by(|&a, &b| right.key_of(a).cmp(right.key_of(b)));
        right.order = order;
        right
    }

    fn cell(&self, row: u32, at: usize) -> &str {
        let i = row as usize * self.columns.len() + at;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    fn key_of(&self, row: u32) -> &str {
        self.cell(row, self.key)
    }

    /// The rows whose key is `key`, in the file's order.
    fn rows_of(&self, key: &str) -> &[u32] {
        let from = self.order.partition_point(|&r| self.key_of(r) < key);
        let to = self.order.partition_point(|&r| self.key_of(r) <= key);
        &self.order[from..to]
    }
}

fn column(columns: &[String], name: &str, side: &str) -> usize {
    columns.iter().position(|c| c == name).unwrap_or_else(|| {
        fail(format!(
            "no column {:?} in the {} table: its columns are {:?}",
            name, side, columns
        ))
    })
}

/// `on`: a column of both tables, or {"left": …, "right": …} (a JSON object).
fn keys(p: &Params) -> (String, String) {
    let on = p.needed("on");
    match serde_json::from_str::<Value>(on) {
        Ok(Value::Object(o)) => {
            let named = |side: &str| match o.get(side) {
                Some(Value::String(s)) => s.clone(),
                _ => fail(format!("param on: {} is not a column name", side)),
            };
            (named("left"), named("right"))
        }
        _ => (on.to_string(), on.to_string()),
    }
}

pub(crate) fn join(mut rows: Rows, p: &Params) {
    let (left_on, right_on) = keys(p);
    let keep_unjoined = match p.text("how").unwrap_or("inner") {
        "inner" => false,
        "left" => true,
        other => fail(format!("param how: {} is not inner or left", other)),
    };
    let at = column(&rows.columns, &left_on, "left");
    let right = Right::read(p.needed("right"), &right_on);
    let kept: Vec<usize> = (0..right.columns.len()).filter(|&c| c != right.key).collect();
    let mut columns = rows.columns.clone();
    for &c in &kept {
        let mut name = right.columns[c].clone();
        while columns.contains(&name) {
            name.push_str("_right");
        }
        columns.push(name);
    }
    let mut out = Out::start(columns, p.text("format").unwrap_or("csv"));
    rows.each(|_, mut cells| {
        let width = cells.len();
        let matched = right.rows_of(&cells[at].text());
        if matched.is_empty() && keep_unjoined {
            cells.extend(kept.iter().map(|_| Cell::Null));
            out.row(&cells);
        }
        for &r in matched {
            cells.truncate(width);
            cells.extend(kept.iter().map(|&c| Cell::Text(right.cell(r, c).to_string())));
            out.row(&cells);
        }
    });
    out.finish();
}
