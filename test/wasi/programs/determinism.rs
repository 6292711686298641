// The Rust side of determinism.c: a HashMap's order (seeded from random_get), SystemTime and
// Instant, a directory listing, float formatting, many files.
use std::collections::HashMap;
use std::fs;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let start = Instant::now();
    let mut map = HashMap::new();
    for i in 0..20 {
        map.insert(format!("key{}", i), i);
    }
    let order: Vec<_> = map.keys().cloned().collect();
    println!("hashmap order {:?}", order);
    println!("since epoch {:?}", SystemTime::now().duration_since(UNIX_EPOCH).unwrap());
    let nan = f64::NAN;
    println!("floats {} {} {:e} {}", nan, 0.1 + 0.2, 1e300 * 10.0, (2.0f64).sqrt());
    for i in 0..100 {
        fs::write(format!("/out/r{}.txt", (i * 7) % 100), format!("{} {}\n", i, (i as f64).ln())).unwrap();
    }
    let mut names: Vec<_> = fs::read_dir("/out").unwrap().map(|e| e.unwrap().file_name()).collect();
    println!("read_dir first {:?} of {}", names.first(), names.len());
    names.clear();
    println!("elapsed {:?}", start.elapsed());
}
