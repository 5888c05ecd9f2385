//! `samlkit c14n` end to end: success paths (file, stdin, --id, --prefixes, every --alg) and
//! every error path (exit 2, one `error: ` line saying what and where, nothing on stdout).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::Write;

use support::samlkit;

const DOC: &str = "<?xml version=\"1.0\"?>\n<!--top-->\n<r xmlns=\"urn:d\" xmlns:p=\"urn:p\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xml:lang=\"en\">\r\n  <p:a ID=\"_a1\" v=\"xs:string\"><b  c='1'/><!--in--></p:a>\n</r>\n";

fn file_with(contents: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(contents).expect("write temp file");
    f
}

fn stdout_of(args: &[&str], stdin: &str) -> String {
    let out = samlkit().args(args).write_stdin(stdin).output().expect("run");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty());
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn whole_document_from_stdin_defaults_to_exclusive() {
    let expected = "<r xmlns=\"urn:d\" xml:lang=\"en\">\n  <p:a xmlns:p=\"urn:p\" ID=\"_a1\" v=\"xs:string\"><b c=\"1\"></b></p:a>\n</r>";
    assert_eq!(stdout_of(&["c14n"], DOC), expected);
    assert_eq!(stdout_of(&["c14n", "-"], DOC), expected);
    assert_eq!(stdout_of(&["c14n", "--alg", "exc"], DOC), expected);
}

#[test]
fn every_algorithm_from_a_file() {
    let f = file_with(DOC.as_bytes());
    let path = f.path().to_str().unwrap();
    let inclusive = "<r xmlns=\"urn:d\" xmlns:p=\"urn:p\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xml:lang=\"en\">\n  <p:a ID=\"_a1\" v=\"xs:string\"><b c=\"1\"></b></p:a>\n</r>";
    assert_eq!(stdout_of(&["c14n", "--alg", "inclusive", path], ""), inclusive);
    let with_comments = stdout_of(&["c14n", "--alg", "inclusive-comments", path], "");
    assert!(with_comments.starts_with("<!--top-->\n<r "), "{with_comments}");
    assert!(with_comments.contains("</b><!--in--></p:a>"), "{with_comments}");
    let exc_comments = stdout_of(&["c14n", "--alg", "exc-comments", path], "");
    assert!(
        exc_comments.starts_with("<!--top-->\n<r xmlns=\"urn:d\" xml:lang=\"en\">"),
        "{exc_comments}"
    );
}

#[test]
fn id_selects_a_document_subset() {
    assert_eq!(
        stdout_of(&["c14n", "--id", "_a1"], DOC),
        "<p:a xmlns:p=\"urn:p\" ID=\"_a1\" v=\"xs:string\"><b xmlns=\"urn:d\" c=\"1\"></b></p:a>"
    );
    assert_eq!(
        stdout_of(&["c14n", "--id", "_a1", "--prefixes", "xs #default"], DOC),
        "<p:a xmlns=\"urn:d\" xmlns:p=\"urn:p\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" ID=\"_a1\" v=\"xs:string\"><b c=\"1\"></b></p:a>"
    );
    assert_eq!(
        stdout_of(&["c14n", "--alg", "inclusive", "--id", "_a1"], DOC),
        "<p:a xmlns=\"urn:d\" xmlns:p=\"urn:p\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" ID=\"_a1\" v=\"xs:string\" xml:lang=\"en\"><b c=\"1\"></b></p:a>"
    );
}

/// Runs `samlkit c14n ARGS` and checks the error contract: exit 2, nothing on stdout, exactly
/// one stderr line starting `error: ` and containing `fragment`.
fn assert_input_error(args: &[&str], stdin: &[u8], fragment: &str) {
    let out = samlkit().args(args).write_stdin(stdin.to_vec()).output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: stderr {stderr}");
    assert!(
        out.stdout.is_empty(),
        "{args:?}: stdout must be empty, got {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: one line, got {stderr}");
    assert!(stderr.contains(fragment), "{args:?}: {stderr:?} lacks {fragment:?}");
}

#[test]
fn input_errors_exit_2_with_position_and_empty_stdout() {
    let cases: &[(&[&str], &[u8], &str)] = &[
        (&["c14n"], b"<a>\n<!DOCTYPE x>", "error: -:2:1: DOCTYPE is not allowed"),
        (
            &["c14n"],
            b"<?xml version='1.0'?>\n<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>",
            "-:2:1: DOCTYPE",
        ),
        (&["c14n"], b"<a>\n  <b></c></a>", "-:2:6: mismatched end tag: expected </b>, found </c>"),
        (&["c14n"], b"<a>&nbsp;</a>", "-:1:4: undefined entity &nbsp;"),
        (&["c14n"], b"<a/><b/>", "-:1:5: a second element outside the root element"),
        (&["c14n"], b"<p:a/>", "-:1:2: undeclared namespace prefix \"p\""),
        (&["c14n"], b"<a>\xff</a>", "-:1:4: invalid UTF-8"),
        (
            &["c14n"],
            b"<?xml version='1.0' encoding='latin1'?><a/>",
            "unsupported encoding \"latin1\"",
        ),
        (&["c14n"], b"", "-:1:1: no root element"),
        (&["c14n"], b"<a xmlns:r='rel'/>", "relative namespace URI \"rel\""),
        (
            &["c14n", "--id", "nope"],
            b"<a ID='x'/>",
            "no element has an ID, Id or id attribute equal to \"nope\"",
        ),
        (
            &["c14n", "--id", "d"],
            b"<a ID='d'><b id='d'/></a>",
            "ID \"d\" is carried by more than one element",
        ),
        (
            &["c14n", "--alg", "inclusive", "--prefixes", "xs"],
            b"<a/>",
            "--prefixes only applies to exclusive",
        ),
        (&["c14n", "--alg", "c14n11"], b"<a/>", "c14n11"),
        (&["c14n", "--bogus"], b"<a/>", "--bogus"),
        (
            &["c14n", "/nonexistent/in.xml"],
            b"",
            "cannot read /nonexistent/in.xml: no such file or directory",
        ),
    ];
    for (args, stdin, fragment) in cases {
        assert_input_error(args, stdin, fragment);
    }
}

#[test]
fn errors_in_files_name_the_file() {
    let f = file_with(b"<a>\n\n   <b>");
    let path = f.path().to_str().unwrap();
    assert_input_error(
        &["c14n", path],
        b"",
        &format!("error: {path}:3:4: element <b> is never closed"),
    );
}

#[test]
fn help_teaches_the_options() {
    let out = samlkit().args(["c14n", "--help"]).output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in
        ["--alg", "exc-comments", "inclusive-comments", "--prefixes", "--id", "#default", "FILE|-"]
    {
        assert!(help.contains(needle), "help lacks {needle}: {help}");
    }
}
