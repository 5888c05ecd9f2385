//! `samlkit c14n` of a whole document streams without a tree: into a regular file straight
//! through (taken back on error), into anything else held back (past a buffer of 512 KiB, in
//! an anonymous temporary file) until the document has proved valid. Either way the output is
//! all-or-nothing: on an error found late in a large document, stdout ends up empty (or, for a
//! file opened for appending, exactly as it was), exit 2 with one `error: ` line.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::fs::{File, OpenOptions};
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// A document whose canonical form is several times the canonicalizer's 64 KiB write buffer,
/// with `tail` just before the root's end tag.
fn large_document(tail: &str) -> String {
    document_of(4000, tail)
}

/// A document of `items` lines (about 70 bytes of canonical form each), with `tail` just
/// before the root's end tag.
fn document_of(items: usize, tail: &str) -> String {
    let mut doc = String::from(
        "<?xml version=\"1.0\"?>\n<!--head-->\n<r xmlns=\"urn:r\" xmlns:p=\"urn:p\">\n",
    );
    for i in 0..items {
        doc.push_str(&format!(
            "  <p:item n=\"{i}\"  b='x&amp;y'>text {i} &lt; more</p:item><e/>\n"
        ));
    }
    doc.push_str(tail);
    doc.push_str("</r>\n<!--after-->\n");
    doc
}

fn samlkit_to(stdout: impl Into<Stdio>, args: &[&str]) -> Output {
    Command::new(assert_cmd::cargo::cargo_bin("samlkit"))
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("run samlkit")
}

fn write_input(dir: &Path, text: &str) -> String {
    let path = dir.join("in.xml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn assert_one_error_line(out: &Output, fragment: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.starts_with("error: ") && stderr.lines().count() == 1, "{stderr:?}");
    assert!(stderr.contains(fragment), "{stderr:?} should contain {fragment:?}");
}

#[test]
fn into_a_file_the_output_equals_the_piped_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_input(dir.path(), &large_document(""));
    for alg in ["exc", "exc-comments", "inclusive", "inclusive-comments"] {
        let piped = samlkit_to(Stdio::piped(), &["c14n", "--alg", alg, &input]);
        assert_eq!(piped.status.code(), Some(0));
        assert!(piped.stdout.len() > 4 * 64 * 1024, "the document must outgrow the write buffer");
        let path = dir.path().join(format!("out.{alg}"));
        let out = samlkit_to(File::create(&path).unwrap(), &["c14n", "--alg", alg, &input]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(std::fs::read(&path).unwrap(), piped.stdout, "{alg}");
    }
}

/// Errors found after megabytes of output: a mismatched end tag (a parse error, with its line
/// and column) and a relative namespace URI (which C14N refuses).
const LATE_ERRORS: [(&str, &str); 2] = [
    ("<p:late></p:wrong>", "in.xml:4004:9: mismatched end tag"),
    ("<late xmlns:q=\"relative/uri\"/>", "relative namespace URI \"relative/uri\""),
];

#[test]
fn a_late_error_leaves_a_file_empty() {
    let dir = tempfile::tempdir().unwrap();
    for (tail, fragment) in LATE_ERRORS {
        let input = write_input(dir.path(), &large_document(tail));
        let path = dir.path().join("out.c14n");
        let out = samlkit_to(File::create(&path).unwrap(), &["c14n", &input]);
        assert_one_error_line(&out, fragment);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0, "{tail}");
    }
}

#[test]
fn a_late_error_leaves_an_appended_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    std::fs::write(&path, "kept\n").unwrap();
    let input = write_input(dir.path(), &large_document(LATE_ERRORS[0].0));
    let append = || OpenOptions::new().append(true).open(&path).unwrap();
    let out = samlkit_to(append(), &["c14n", &input]);
    assert_one_error_line(&out, LATE_ERRORS[0].1);
    assert_eq!(std::fs::read(&path).unwrap(), b"kept\n");
    // And on success the output follows what was there.
    let good = write_input(dir.path(), "<a  b='1'/>");
    let out = samlkit_to(append(), &["c14n", &good]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read(&path).unwrap(), b"kept\n<a b=\"1\"></a>");
}

#[test]
fn a_late_error_leaves_a_pipe_empty() {
    let dir = tempfile::tempdir().unwrap();
    for (tail, fragment) in LATE_ERRORS {
        let input = write_input(dir.path(), &large_document(tail));
        let out = samlkit_to(Stdio::piped(), &["c14n", &input]);
        assert_one_error_line(&out, fragment);
        assert!(out.stdout.is_empty(), "{} bytes on stdout", out.stdout.len());
    }
}

/// More canonical output than is held in memory (512 KiB): past it the output waits in a
/// temporary file, and still reaches the pipe whole and in order, or not at all. The input is
/// over 4 MiB, so it is read into memory advised to use huge pages (src/large_input.rs).
#[test]
fn into_a_pipe_output_past_the_memory_buffer_is_whole_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_input(dir.path(), &document_of(80_000, ""));
    assert!(std::fs::metadata(&input).unwrap().len() > 4 << 20, "the input must be over 4 MiB");
    let piped = samlkit_to(Stdio::piped(), &["c14n", &input]);
    assert_eq!(piped.status.code(), Some(0), "{}", String::from_utf8_lossy(&piped.stderr));
    assert!(piped.stdout.len() > 2 << 20, "only {} bytes: not past the buffer", piped.stdout.len());
    let path = dir.path().join("out.c14n");
    let out = samlkit_to(File::create(&path).unwrap(), &["c14n", &input]);
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read(&path).unwrap() == piped.stdout, "pipe and file outputs differ");
    assert!(piped.stdout.ends_with(b"<e></e>\n</r>"), "the tail is last");

    // Over the limit, a large input is refused as a small one is, before anything is read.
    let out = samlkit_to(Stdio::piped(), &["c14n", "--max-size", "4MiB", &input]);
    assert_one_error_line(&out, "in.xml: larger than 4 MiB (the limit for a c14n document");
    assert!(out.stdout.is_empty());

    let late = write_input(dir.path(), &document_of(80_000, "<p:late></p:wrong>"));
    let out = samlkit_to(Stdio::piped(), &["c14n", &late]);
    assert_one_error_line(&out, "in.xml:80004:9: mismatched end tag");
    assert!(out.stdout.is_empty(), "{} bytes on stdout", out.stdout.len());
}

/// A large output into a pipe asks for a pipe of 1 MiB (Linux's unprivileged maximum), so it
/// goes out in a dozen writes instead of waiting for the reader every 64 KiB.
#[cfg(target_os = "linux")]
#[test]
fn a_large_output_into_a_pipe_widens_the_pipe() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let input = write_input(dir.path(), &document_of(20_000, ""));
    let (mut reader, writer) = std::io::pipe().unwrap();
    assert_eq!(rustix::pipe::fcntl_getpipe_size(&reader).unwrap(), 64 * 1024);
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("samlkit"));
    command.args(["c14n", &input]).stdout(writer);
    let mut child = command.spawn().unwrap();
    drop(command); // the parent's copy of the write end: the reader sees the end of output
    let mut out = Vec::new();
    reader.read_to_end(&mut out).unwrap();
    assert!(child.wait().unwrap().success());
    assert!(out.len() > 1 << 20 && out.ends_with(b"</r>"), "{} bytes", out.len());
    let max: usize = std::fs::read_to_string("/proc/sys/fs/pipe-max-size")
        .map_or(1 << 20, |s| s.trim().parse().unwrap());
    assert_eq!(rustix::pipe::fcntl_getpipe_size(&reader).unwrap(), max.min(1 << 20));
}
