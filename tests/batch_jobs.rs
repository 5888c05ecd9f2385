//! `--jobs` changes nothing but speed: on generated mixed batches (valid, invalid signature,
//! replayed, unreadable, malformed, a directory, a directory without responses), `verify` in
//! text and `--json` mode and `sign --out-dir` give byte-identical standard output, standard
//! error, exit status and output files with `--jobs 1` and `--jobs 4`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Output;
use std::sync::OnceLock;

use proptest::prelude::*;
use support::saml::{ACS, IDP, SP, VERIFY_AT, issue};
use support::{fixture, samlkit};

/// One input of a generated batch.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// One of a few valid responses (the same one twice is a replay, refused the second time).
    Valid(usize),
    /// A response whose signature does not verify (exit 1).
    BadSignature,
    /// A path that does not exist (exit 2).
    Unreadable,
    /// Not XML (exit 2).
    Malformed,
    /// A directory holding a valid response and a malformed one.
    Directory(usize),
    /// A directory without any response (exit 2).
    EmptyDirectory,
}

const POOL: usize = 4;

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        4 => (0..POOL).prop_map(Kind::Valid),
        2 => Just(Kind::BadSignature),
        1 => Just(Kind::Unreadable),
        1 => Just(Kind::Malformed),
        1 => (0..POOL).prop_map(Kind::Directory),
        1 => Just(Kind::EmptyDirectory),
    ]
}

/// Signed and unsigned responses, issued once per test run.
struct Pool {
    signed: Vec<String>,
    unsigned: Vec<String>,
    bad_signature: String,
}

fn pool() -> &'static Pool {
    static POOL_DOCS: OnceLock<Pool> = OnceLock::new();
    POOL_DOCS.get_or_init(|| {
        let users: Vec<String> = (0..POOL).map(|i| format!("user{i}@example.com")).collect();
        Pool {
            signed: users.iter().map(|u| issue(&["--name-id", u])).collect(),
            unsigned: users.iter().map(|u| issue(&["--name-id", u, "--sign", "none"])).collect(),
            bad_signature: issue(&["--break", "bad-signature"]),
        }
    })
}

/// Writes the batch under `dir` and returns the inputs to pass, in order. `signed` picks the
/// documents for `verify` (else the unsigned ones, for `sign`).
fn write_batch(dir: &Path, kinds: &[Kind], signed: bool) -> Vec<String> {
    let pool = pool();
    let doc = |i: usize| if signed { &pool.signed[i] } else { &pool.unsigned[i] };
    let mut inputs = Vec::new();
    for (n, kind) in kinds.iter().enumerate() {
        let path = dir.join(format!("f{n:02}.xml"));
        match kind {
            Kind::Valid(i) => fs::write(&path, doc(*i)).unwrap(),
            Kind::BadSignature => fs::write(&path, &pool.bad_signature).unwrap(),
            Kind::Unreadable => {}
            Kind::Malformed => fs::write(&path, "<samlp:Response ID=").unwrap(),
            Kind::Directory(i) => {
                fs::create_dir(&path).unwrap();
                fs::write(path.join("b-malformed.txt"), "not XML").unwrap();
                fs::write(path.join("a-response.xml"), doc(*i)).unwrap();
            }
            Kind::EmptyDirectory => fs::create_dir(&path).unwrap(),
        }
        inputs.push(path.display().to_string());
    }
    inputs
}

fn verify(jobs: &str, json: bool, inputs: &[String]) -> Output {
    let cert = fixture("certs/idp.crt");
    let mut cmd = samlkit();
    cmd.args(["verify", "--cert", &cert, "--audience", SP, "--recipient", ACS, "--issuer", IDP]);
    cmd.args(["--now", VERIFY_AT, "--jobs", jobs]);
    if json {
        cmd.arg("--json");
    }
    cmd.args(inputs).output().unwrap()
}

fn sign(jobs: &str, out_dir: &Path, inputs: &[String]) -> Output {
    samlkit()
        .args(["sign", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")])
        .args(["--jobs", jobs, "--out-dir", out_dir.to_str().unwrap()])
        .args(inputs)
        .output()
        .unwrap()
}

/// Every file below `dir` (relative path → contents).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                files.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn same_output(one: &Output, four: &Output, what: &str) {
    assert_eq!(one.status.code(), four.status.code(), "{what}: exit status");
    assert_eq!(
        String::from_utf8_lossy(&one.stdout),
        String::from_utf8_lossy(&four.stdout),
        "{what}: stdout"
    );
    assert_eq!(
        String::from_utf8_lossy(&one.stderr),
        String::from_utf8_lossy(&four.stderr),
        "{what}: stderr"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn jobs_1_and_jobs_4_verify_identically(kinds in prop::collection::vec(kind(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let inputs = write_batch(dir.path(), &kinds, true);
        for json in [false, true] {
            let one = verify("1", json, &inputs);
            let four = verify("4", json, &inputs);
            same_output(&one, &four, if json { "verify --json" } else { "verify" });
            prop_assert!(!one.stdout.is_empty() || !one.stderr.is_empty());
        }
    }

    #[test]
    fn jobs_1_and_jobs_4_sign_identically(kinds in prop::collection::vec(kind(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let inputs = write_batch(dir.path(), &kinds, false);
        let (out_one, out_four) = (dir.path().join("out-1"), dir.path().join("out-4"));
        let one = sign("1", &out_one, &inputs);
        let four = sign("4", &out_four, &inputs);
        // The messages name the output directory: make them comparable.
        let four_stderr = String::from_utf8_lossy(&four.stderr)
            .replace(out_four.to_str().unwrap(), out_one.to_str().unwrap());
        let four = Output { stderr: four_stderr.into_bytes(), ..four };
        same_output(&one, &four, "sign --out-dir");
        prop_assert_eq!(tree(&out_one), tree(&out_four));
    }
}

/// A long batch with failures spread through it: the reorder buffer and the window that keeps
/// workers close to the output are exercised far past their size (8 files per job).
#[test]
fn a_long_mixed_batch_reports_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let kinds: Vec<Kind> = (0..150)
        .map(|n| match n % 10 {
            3 => Kind::BadSignature,
            7 => Kind::Malformed,
            9 if n % 30 == 9 => Kind::Unreadable,
            _ => Kind::Valid(n % POOL),
        })
        .collect();
    let inputs = write_batch(dir.path(), &kinds, true);
    let one = verify("1", true, &inputs);
    let four = verify("4", true, &inputs);
    same_output(&one, &four, "verify --json");
    let files: Vec<String> = String::from_utf8_lossy(&four.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["file"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(files, inputs, "one line per input, in input order");
    assert_eq!(four.status.code(), Some(2));
}
