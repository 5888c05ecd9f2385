//! Every file samlkit writes is written atomically, through the built binary: a secret is never
//! visible with a mode wider than 0600 (not even its temporary file), an existing output is
//! refused without `--force` and replaced in one step with it (a new inode; the old contents
//! intact for whoever has the old file open), and a batch killed midway leaves every output
//! with its old contents or its complete new ones.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::fs;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use support::saml::{ACS, IDP, SP, VERIFY_AT, issue};
use support::{assert_error, assert_success, fixture, require, samlkit, tools};

const PASSWORD_VAR: &str = "SAMLKIT_TEST_KS_PASSWORD";

fn export(out: &Path) -> std::process::Output {
    samlkit()
        .env(PASSWORD_VAR, "a-long-password")
        .args(["cert", "export", "--format", "p12", "--key", &fixture("keys/idp.key")])
        .args(["--cert", &fixture("certs/idp.crt"), "--password-env", PASSWORD_VAR, "--force"])
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

/// Lists `dir` over and over until `done`, and returns every secret file (name with `.key` or
/// `.p12`, temporary files included) seen with a mode wider than 0600, and how many were seen.
fn watch_secrets(
    dir: PathBuf,
    done: Arc<AtomicBool>,
) -> std::thread::JoinHandle<(Vec<String>, usize)> {
    std::thread::spawn(move || {
        let (mut loose, mut seen) = (Vec::new(), 0);
        let mut last_round = false;
        loop {
            for entry in fs::read_dir(&dir).unwrap().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !(name.contains(".key") || name.contains(".p12")) {
                    continue;
                }
                // A temporary file may be renamed away between the listing and the stat.
                if let Ok(meta) = fs::symlink_metadata(entry.path()) {
                    seen += 1;
                    let mode = meta.permissions().mode() & 0o777;
                    if mode & 0o077 != 0 {
                        loose.push(format!("{name} {mode:o}"));
                    }
                }
            }
            if last_round {
                return (loose, seen);
            }
            last_round = done.load(Ordering::SeqCst);
        }
    })
}

#[test]
fn secrets_are_never_visible_with_a_mode_wider_than_0600() {
    let dir = tempfile::tempdir().unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let watcher = watch_secrets(dir.path().to_path_buf(), done.clone());
    for i in 0..25 {
        assert_success(&export(&dir.path().join(format!("ks{}.p12", i % 3))));
    }
    for i in 0..3 {
        let prefix = dir.path().join(format!("new{i}"));
        let out = samlkit()
            .args(["cert", "new", "--cn", "idp.example.com", "--out"])
            .arg(&prefix)
            .output()
            .unwrap();
        assert_success(&out);
    }
    done.store(true, Ordering::SeqCst);
    let (loose, seen) = watcher.join().unwrap();
    assert!(loose.is_empty(), "secrets seen with loose modes: {loose:?}");
    // At least the final files (3 keystores, 3 keys) were seen in the last round.
    assert!(seen >= 6, "the watcher saw {seen} secret files");
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        names.len(),
        9,
        "3 keystores, 3 keys, 3 certificates and no temporary file: {names:?}"
    );
}

#[test]
fn every_writer_refuses_an_existing_file_without_force_and_replaces_it_atomically_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let unsigned = dir.path().join("unsigned.xml");
    fs::write(&unsigned, issue(&["--sign", "none"])).unwrap();
    let (key, cert) = (fixture("keys/idp.key"), fixture("certs/idp.crt"));
    let target = dir.path().join("existing.out");
    let target_arg = target.to_str().unwrap().to_string();
    let unsigned_arg = unsigned.to_str().unwrap().to_string();
    // Table: each writer's arguments writing to `target`; `--force` is appended to replace.
    let writers: [(&str, Vec<&str>); 4] = [
        (
            "sign --out",
            vec!["sign", "--key", &key, "--cert", &cert, "--out", &target_arg, &unsigned_arg],
        ),
        (
            "cert csr --out",
            vec!["cert", "csr", "--key", &key, "--cn", "idp.example.com", "--out", &target_arg],
        ),
        (
            "metadata --out",
            vec![
                "metadata",
                "--entity-id",
                IDP,
                "--sso-url",
                "https://idp.example.com/sso",
                "--cert",
                &cert,
                "--out",
                &target_arg,
            ],
        ),
        (
            "cert export --out",
            vec![
                "cert",
                "export",
                "--format",
                "p12",
                "--key",
                &key,
                "--cert",
                &cert,
                "--password-env",
                PASSWORD_VAR,
                "--out",
                &target_arg,
            ],
        ),
    ];
    for (name, args) in &writers {
        fs::write(&target, "old contents").unwrap();
        let refused = samlkit().env(PASSWORD_VAR, "a-long-password").args(args).output().unwrap();
        assert_error(
            &refused,
            2,
            &format!("{} already exists; use --force to overwrite it", target.display()),
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "old contents", "{name}");

        let inode = fs::metadata(&target).unwrap().ino();
        let mut old_reader = fs::File::open(&target).unwrap();
        let forced = samlkit()
            .env(PASSWORD_VAR, "a-long-password")
            .args(args)
            .arg("--force")
            .output()
            .unwrap();
        assert_success(&forced);
        assert_ne!(
            fs::metadata(&target).unwrap().ino(),
            inode,
            "{name}: a new file renamed over the old"
        );
        let mut old = String::new();
        old_reader.read_to_string(&mut old).unwrap();
        assert_eq!(old, "old contents", "{name}: the old file was never rewritten in place");
        assert_ne!(fs::read(&target).unwrap(), b"old contents", "{name}");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{name}: {leftovers:?}");
    }
}

#[test]
fn a_batch_killed_midway_leaves_every_output_old_or_complete() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    let mut inputs = Vec::new();
    for i in 0..6 {
        let path = dir.path().join(format!("r{i}.xml"));
        // The fourth document is too big for the file size limit set below: writing its
        // output kills the process (SIGXFSZ) in the middle of the batch.
        let doc = if i == 3 {
            let big: Vec<String> =
                (0..40).map(|n| format!("big{n}={}", "x".repeat(8 * 1024))).collect();
            let mut args = vec!["--sign", "none", "--name-id", "big@example.com"];
            for attr in &big {
                args.extend(["--attr", attr.as_str()]);
            }
            issue(&args)
        } else {
            issue(&["--sign", "none", "--name-id", &format!("user{i}@example.com")])
        };
        fs::write(&path, doc).unwrap();
        fs::write(out_dir.join(format!("r{i}.xml")), format!("old output {i}")).unwrap();
        inputs.push(path);
    }
    let bin = assert_cmd::cargo::cargo_bin("samlkit");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg("ulimit -f 64; exec \"$@\"")
        .arg("bash")
        .arg(&bin)
        .args([
            "sign",
            "--jobs",
            "1",
            "--key",
            &fixture("keys/idp.key"),
            "--cert",
            &fixture("certs/idp.crt"),
        ])
        .arg("--out-dir")
        .arg(&out_dir)
        .args(&inputs)
        .output()
        .unwrap();
    assert!(!out.status.success(), "the write over the file size limit must fail");
    let cert = fixture("certs/idp.crt");
    for i in 0..6 {
        let target = out_dir.join(format!("r{i}.xml"));
        let contents = fs::read_to_string(&target).unwrap();
        if contents == format!("old output {i}") {
            continue;
        }
        // Not the old contents: then the complete new document, which verifies.
        let check = samlkit()
            .args([
                "verify",
                "--cert",
                &cert,
                "--audience",
                SP,
                "--recipient",
                ACS,
                "--issuer",
                IDP,
            ])
            .args(["--now", VERIFY_AT])
            .arg(&target)
            .output()
            .unwrap();
        assert_success(&check);
    }
    // The oversized output never replaced the old one, in any state.
    assert_eq!(fs::read_to_string(out_dir.join("r3.xml")).unwrap(), "old output 3");
}

/// How many times `args` (a samlkit command) calls each flush system call, by strace.
fn flushes(args: &[&str]) -> std::collections::BTreeMap<String, u64> {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("strace.txt");
    let bin = assert_cmd::cargo::cargo_bin("samlkit");
    let out = std::process::Command::new("strace")
        .args(["-f", "-c", "-e", "trace=fsync,fdatasync,syncfs", "-o"])
        .arg(&log)
        .arg(bin)
        .args(args)
        .output()
        .unwrap();
    assert_success(&out);
    // `% time  seconds  usecs/call  calls  [errors]  syscall`, then a `total` row.
    fs::read_to_string(&log)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let name = *cols.last()?;
            let calls = cols.get(3)?.parse().ok()?;
            ["fsync", "fdatasync", "syncfs"].contains(&name).then(|| (name.to_string(), calls))
        })
        .collect()
}

#[test]
#[cfg_attr(missing_strace, ignore = "strace not installed: run scripts/install-test-deps.sh")]
fn a_batch_flushes_once_at_the_end_and_a_single_write_flushes_file_and_directory() {
    require(&tools::STRACE);
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> =
        ["sign", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt")]
            .map(String::from)
            .to_vec();
    args.extend(["--out-dir".into(), dir.path().join("out").display().to_string()]);
    for i in 0..20 {
        let path = dir.path().join(format!("r{i:02}.xml"));
        fs::write(&path, issue(&["--sign", "none", "--name-id", &format!("u{i}@example.com")]))
            .unwrap();
        args.push(path.display().to_string());
    }
    let batch: Vec<&str> = args.iter().map(String::as_str).collect();
    let counts = flushes(&batch);
    // One syncfs for the contents of the 20 files, one fsync of the output directory.
    let expected: std::collections::BTreeMap<String, u64> =
        [("fsync".to_string(), 1), ("syncfs".to_string(), 1)].into();
    assert_eq!(counts, expected);
    // One file with --out: the file, then its directory.
    let single = dir.path().join("single.xml");
    let counts = flushes(&[
        "sign",
        "--key",
        &fixture("keys/idp.key"),
        "--cert",
        &fixture("certs/idp.crt"),
        "--out",
        single.to_str().unwrap(),
        &args[args.len() - 1],
    ]);
    assert_eq!(counts, [("fsync".to_string(), 2)].into());
}
