//! Batches of `verify` and `sign`, through the built binary: every file processed, the summary
//! line, `--quiet`, directories and `--files-from` as inputs, `--jobs`, the exit status of a
//! mixed batch, and the outputs of `sign` (`--out` refusing to overwrite, `--out-dir` created).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use support::saml::{ACS, IDP, SP, VERIFY_AT, issue};
use support::{assert_error, fixture, samlkit, stdout};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `verify` with every binding checked (no `unchecked` warnings), at [`VERIFY_AT`].
fn verify(extra: &[&str], files: &[&Path]) -> Output {
    let cert = fixture("certs/idp.crt");
    let mut cmd = samlkit();
    cmd.args(["verify", "--cert", &cert, "--audience", SP, "--recipient", ACS, "--issuer", IDP]);
    cmd.args(["--now", VERIFY_AT]).args(extra).args(files);
    cmd.output().unwrap()
}

fn sign(extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = samlkit();
    cmd.args(["sign", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")]);
    cmd.args(extra);
    cmd
}

/// A valid response for `user` (each user's assertion has its own ID: no replay).
fn valid(dir: &Path, name: &str, user: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, issue(&["--name-id", user])).unwrap();
    path
}

/// A response whose signature does not verify (exit 1).
fn invalid(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, issue(&["--break", "bad-signature"])).unwrap();
    path
}

/// A document that is not XML at all (exit 2).
fn malformed(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, "<samlp:Response").unwrap();
    path
}

/// An unsigned response, ready for `sign`.
fn unsigned(dir: &Path, name: &str, user: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, issue(&["--name-id", user, "--sign", "none"])).unwrap();
    path
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

#[test]
fn a_mixed_batch_reports_each_file_ends_with_a_summary_and_exits_with_the_worst_status() {
    let dir = tempfile::tempdir().unwrap();
    let good = valid(dir.path(), "good.xml", "alice@example.com");
    let bad = invalid(dir.path(), "bad.xml");
    let missing = dir.path().join("missing.xml");
    // Table: the files, the exit status, how many `error:` lines, the summary line. The same
    // response twice is a replay: the second copy is invalid.
    let cases: [(Vec<&Path>, i32, usize, &str); 4] = [
        (vec![&good, &bad, &missing], 2, 2, "3 files: 1 valid, 1 invalid, 1 unreadable"),
        (vec![&bad, &good], 1, 1, "2 files: 1 valid, 1 invalid"),
        (vec![&missing, &bad], 2, 2, "2 files: 1 invalid, 1 unreadable"),
        (vec![&good, &good], 1, 1, "2 files: 1 valid, 1 invalid"),
    ];
    for (files, code, errors, summary) in cases {
        let out = verify(&[], &files);
        assert_eq!(out.status.code(), Some(code), "{files:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(lines(&err).last(), Some(&summary), "{files:?}: {err}");
        let error_lines = lines(&err).iter().filter(|l| l.starts_with("error: ")).count();
        assert_eq!(error_lines, errors, "{err}");
        assert_eq!(lines(&err).len(), errors + 1, "{err}");
    }
    // One file: its result alone, no summary.
    let out = verify(&[], &[&good]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
    assert!(stdout(&out).starts_with(&format!("{}: valid\n", good.display())));
}

#[test]
fn quiet_prints_only_the_failures() {
    let dir = tempfile::tempdir().unwrap();
    let good = valid(dir.path(), "good.xml", "alice@example.com");
    let bad = invalid(dir.path(), "bad.xml");
    let out = verify(&["--quiet"], &[&good, &bad]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert_eq!(lines(&err).len(), 1, "{err}");
    assert!(err.starts_with(&format!("error: {}: ", bad.display())), "{err}");
    // --json --quiet: only the failing line.
    let out = verify(&["--json", "-q"], &[&good, &bad]);
    assert_eq!(out.status.code(), Some(1));
    let json: Vec<serde_json::Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(json.len(), 1);
    assert_eq!(json[0]["file"], bad.display().to_string());
    assert_eq!(json[0]["valid"], false);
}

#[test]
fn json_mode_prints_no_summary() {
    let dir = tempfile::tempdir().unwrap();
    let good = valid(dir.path(), "good.xml", "alice@example.com");
    let other = valid(dir.path(), "other.xml", "bob@example.com");
    let out = verify(&["--json"], &[&good, &other]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
    assert_eq!(stdout(&out).lines().count(), 2);
}

#[test]
fn a_directory_stands_for_its_xml_b64_and_txt_files_sorted_recursively() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("in");
    fs::create_dir_all(tree.join("sub/deeper")).unwrap();
    fs::create_dir_all(tree.join("a-dir")).unwrap();
    valid(&tree, "b.xml", "b@example.com");
    let base64 = samlkit()
        .args(["issue", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")])
        .args(["--issuer", IDP, "--name-id", "a@example.com", "--audience", SP])
        .args(["--recipient", ACS, "--now", support::saml::ISSUED, "--format", "base64"])
        .output()
        .unwrap();
    fs::write(tree.join("a.b64"), &base64.stdout).unwrap();
    valid(&tree.join("sub"), "c.txt", "c@example.com");
    valid(&tree.join("sub/deeper"), "d.xml", "d@example.com");
    valid(&tree.join("a-dir"), "e.xml", "e@example.com");
    // Not taken: other extensions, hidden files.
    fs::write(tree.join("notes.md"), "not a response").unwrap();
    fs::write(tree.join(".hidden.xml"), "<x/>").unwrap();
    let out = verify(&["--json"], &[&tree]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let files: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["file"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let root = tree.display().to_string();
    let expected: Vec<String> = ["a.b64", "b.xml", "a-dir/e.xml", "sub/c.txt", "sub/deeper/d.xml"]
        .iter()
        .map(|f| format!("{root}/{f}"))
        .collect();
    assert_eq!(files, expected);
}

#[test]
fn a_directory_without_responses_is_an_unreadable_input() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    fs::write(empty.join("readme.md"), "nothing here").unwrap();
    let out = verify(&[], &[&empty]);
    assert_error(
        &out,
        2,
        &format!("{}: no *.xml, *.b64 or *.txt file in this directory or below", empty.display()),
    );
}

#[test]
fn files_from_reads_one_path_per_line_from_a_file_or_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let good = valid(dir.path(), "good.xml", "alice@example.com");
    let bad = invalid(dir.path(), "bad.xml");
    let list = dir.path().join("list.txt");
    fs::write(&list, format!("{}\r\n\n{}\n", bad.display(), good.display())).unwrap();
    let expected = format!("{}\n{}\n", bad.display(), good.display());
    let names = |out: &Output| -> String {
        stdout(out)
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["file"]
                    .as_str()
                    .unwrap()
                    .to_string()
                    + "\n"
            })
            .collect()
    };
    let out = verify(&["--json", "--files-from", list.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(names(&out), expected);
    let cert = fixture("certs/idp.crt");
    let out = samlkit()
        .args(["verify", "--json", "--cert", &cert, "--now", VERIFY_AT, "--files-from", "-"])
        .args(["--audience", SP, "--recipient", ACS, "--issuer", IDP])
        .write_stdin(fs::read(&list).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(names(&out), expected);
    // Arguments come first, then the list.
    let out = verify(&["--json", "--files-from", list.to_str().unwrap()], &[&good]);
    assert_eq!(names(&out), format!("{}\n{expected}", good.display()));
}

#[test]
fn input_list_errors_are_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let cert = fixture("certs/idp.crt");
    let out = samlkit()
        .args(["verify", "--cert", &cert, "--files-from", "-"])
        .write_stdin("-\n")
        .output()
        .unwrap();
    assert_error(
        &out,
        2,
        "--files-from - reads the list from standard input, which cannot also be an input",
    );
    let out = samlkit().args(["verify", "--cert", &cert, "-", "-"]).output().unwrap();
    assert_error(&out, 2, "standard input ('-') can be read only once per run");
    let missing = dir.path().join("no-list.txt");
    let out = samlkit()
        .args(["verify", "--cert", &cert, "--files-from", missing.to_str().unwrap()])
        .output()
        .unwrap();
    assert_error(&out, 2, &format!("cannot read {}", missing.display()));
}

#[test]
fn jobs_must_be_at_least_one() {
    let cert = fixture("certs/idp.crt");
    let key = fixture("keys/idp.key");
    let table: [&[&str]; 3] = [
        &["verify", "--cert", &cert, "--jobs", "0", "r.xml"],
        &["sign", "--key", &key, "--cert", &cert, "--jobs", "0", "r.xml"],
        &["verify", "--cert", &cert, "--jobs", "many", "r.xml"],
    ];
    for args in table {
        let out = samlkit().args(args).output().unwrap();
        assert_error(&out, 2, "--jobs");
        let err = stderr(&out);
        assert!(err.contains("must be"), "{err}");
    }
    let out = samlkit().args(table[0]).output().unwrap();
    assert!(stderr(&out).contains("must be at least 1 (the default is the number of CPUs)"));
}

#[test]
fn help_and_readme_say_which_status_a_mixed_batch_exits_with() {
    let out = samlkit().args(["verify", "--help"]).output().unwrap();
    let help = one_paragraph(&stdout(&out));
    assert!(help.contains("an unreadable file wins over an invalid one"), "{help}");
    assert!(
        help.contains("--jobs <N>")
            && help.contains("--quiet")
            && help.contains("--files-from <FILE>")
    );
    let readme = one_paragraph(&fs::read_to_string(support::root().join("README.md")).unwrap());
    assert!(readme.contains("an unreadable file wins over an invalid one"), "README");
}

fn one_paragraph(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn sign_processes_every_file_reports_each_failure_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let first = unsigned(dir.path(), "first.xml", "a@example.com");
    let broken = malformed(dir.path(), "broken.xml");
    let missing = dir.path().join("missing.xml");
    let last = unsigned(dir.path(), "last.xml", "b@example.com");
    let out_dir = dir.path().join("signed");
    let out = sign(&["--out-dir", out_dir.to_str().unwrap()])
        .args([&first, &broken, &missing, &last])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let err_lines = lines(&err);
    assert_eq!(err_lines.len(), 3, "{err}");
    assert!(err_lines[0].starts_with(&format!("error: {}:", broken.display())), "{err}");
    assert!(err_lines[1].starts_with("error: ") && err_lines[1].contains("missing.xml"), "{err}");
    assert_eq!(err_lines[2], "4 files: 2 signed, 2 failed");
    let mut written: Vec<String> = fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    assert_eq!(written, ["first.xml", "last.xml"], "no temporary file left behind");
    let check = verify(&[], &[&out_dir.join("first.xml"), &out_dir.join("last.xml")]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    // --quiet: the failures only.
    let out = sign(&["--quiet", "--out-dir", out_dir.to_str().unwrap()])
        .args([&first, &broken])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(lines(&stderr(&out)).len(), 1);
}

#[test]
fn sign_out_dir_of_a_directory_keeps_the_tree_and_is_created_when_missing() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("in");
    fs::create_dir_all(tree.join("sub")).unwrap();
    unsigned(&tree, "a.xml", "a@example.com");
    unsigned(&tree.join("sub"), "b.xml", "b@example.com");
    let out_dir = dir.path().join("not/yet/there");
    let out = sign(&["--out-dir", out_dir.to_str().unwrap()]).arg(&tree).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "2 files: 2 signed\n");
    let check = verify(&[], &[&out_dir]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(out_dir.join("sub/b.xml").is_file());
    // A file in the way of --out-dir.
    let file = dir.path().join("a-file");
    fs::write(&file, "x").unwrap();
    let out = sign(&["--out-dir", file.to_str().unwrap()]).arg(&tree).output().unwrap();
    assert_error(&out, 2, &format!("--out-dir {} is not a directory", file.display()));
}

#[test]
fn sign_refuses_two_inputs_with_the_same_output_and_an_output_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("x")).unwrap();
    fs::create_dir_all(dir.path().join("y")).unwrap();
    let one = unsigned(&dir.path().join("x"), "r.xml", "a@example.com");
    let two = unsigned(&dir.path().join("y"), "r.xml", "b@example.com");
    let other = unsigned(dir.path(), "other.xml", "c@example.com");
    let out_dir = dir.path().join("out");
    // A directory where an output should go: that output cannot be written, the others are.
    fs::create_dir_all(out_dir.join("other.xml/inside")).unwrap();
    let out = sign(&["--out-dir", out_dir.to_str().unwrap()])
        .args([&one, &two, &other])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let err_lines = lines(&err);
    assert_eq!(err_lines.len(), 3, "{err}");
    assert_eq!(
        err_lines[0],
        format!(
            "error: {}: its output {} is already the output of {}; sign them into different --out-dir directories",
            two.display(),
            out_dir.join("r.xml").display(),
            one.display()
        )
    );
    assert!(
        err_lines[1]
            .starts_with(&format!("error: cannot write {}: ", out_dir.join("other.xml").display())),
        "{err}"
    );
    assert_eq!(err_lines[2], "3 files: 1 signed, 2 failed");
    let check = verify(&[], &[&out_dir.join("r.xml")]);
    assert!(stdout(&check).contains("name_id:         a@example.com"), "the first input's output");
    let mut left: Vec<String> = fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["other.xml", "r.xml"], "no temporary file left behind");
}

#[test]
fn sign_out_refuses_an_existing_file_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let input = unsigned(dir.path(), "in.xml", "a@example.com");
    let target = dir.path().join("existing.xml");
    fs::write(&target, "keep me").unwrap();
    let out = sign(&["--out", target.to_str().unwrap()]).arg(&input).output().unwrap();
    assert_error(
        &out,
        2,
        &format!("{} already exists; use --force to overwrite it", target.display()),
    );
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep me");
    let out = sign(&["--force", "--out", target.to_str().unwrap()]).arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(verify(&[], &[&target]).status.code(), Some(0));
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2, "no temporary file left behind");
}

#[test]
fn several_inputs_without_out_dir_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = unsigned(dir.path(), "in.xml", "a@example.com");
    let out = sign(&[]).args([&input, &input]).output().unwrap();
    assert_error(&out, 2, "several input files need --out-dir DIR");
    let out = sign(&[]).arg(dir.path()).output().unwrap();
    assert_error(&out, 2, "several input files need --out-dir DIR");
}
