// Rust's std::fs and std::io over a writable preopened folder, as the wasi-testsuite's Rust tests
// use them: create_dir_all, write, read_to_string, OpenOptions (append, create_new), seeking,
// set_len, metadata, read_dir, rename, symlinks, hard links, remove_dir_all; errors as io::ErrorKind.
use std::fs::{self, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};

fn names(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn main() {
    let d = std::env::args().nth(1).unwrap_or_else(|| "fs-tests.dir".to_string());
    let p = |name: &str| format!("{}/{}", d, name);
    fs::create_dir_all(p("a/b/c")).unwrap();
    fs::write(p("a/b/c/f.txt"), "hello").unwrap();
    println!("read: {}", fs::read_to_string(p("a/b/c/f.txt")).unwrap());
    let mut f = OpenOptions::new().append(true).open(p("a/b/c/f.txt")).unwrap();
    f.write_all(b", world").unwrap();
    drop(f);
    println!("appended: {}", fs::read_to_string(p("a/b/c/f.txt")).unwrap());
    let err = OpenOptions::new().write(true).create_new(true).open(p("a/b/c/f.txt")).unwrap_err();
    println!("create_new again: {:?}", err.kind());
    let mut f = OpenOptions::new().read(true).write(true).open(p("a/b/c/f.txt")).unwrap();
    println!("seek: {}", f.seek(SeekFrom::End(-5)).unwrap());
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    println!("tail: {}", s);
    f.set_len(5).unwrap();
    println!("len: {}", f.metadata().unwrap().len());
    drop(f);
    println!("is_dir: {} is_file: {}", fs::metadata(p("a/b")).unwrap().is_dir(), fs::metadata(p("a/b/c/f.txt")).unwrap().is_file());
    fs::rename(p("a/b/c/f.txt"), p("a/g.txt")).unwrap();
    println!("a: {:?}", names(&p("a")));
    // std::os::wasi::fs::symlink_path is unstable; the deprecated soft_link is the stable way.
    #[allow(deprecated)]
    fs::soft_link("g.txt", p("a/link")).unwrap();
    println!("read_link: {:?}", fs::read_link(p("a/link")).unwrap());
    println!("through: {}", fs::read_to_string(p("a/link")).unwrap());
    println!("symlink_metadata is_symlink: {}", fs::symlink_metadata(p("a/link")).unwrap().file_type().is_symlink());
    fs::hard_link(p("a/g.txt"), p("a/h.txt")).unwrap();
    println!("a: {:?}", names(&p("a")));
    println!("missing: {:?}", fs::read(p("nothing")).unwrap_err().kind());
    println!("remove_dir non-empty: {}", fs::remove_dir(p("a")).is_err());
    fs::remove_dir_all(p("a")).unwrap();
    println!("{}: {:?}", d, names(&d));
    println!("escape: {}", fs::read(p("../../etc/passwd")).is_err());
}
