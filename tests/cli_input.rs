//! Forgiving, precise input through the built binary: certificates with a BOM or as bare
//! base64, trust from IdP metadata and fingerprint pins (with the attacks they must stop),
//! files versus pasted values in `jwt verify` / `redirect verify`, several files and CSRs in
//! `cert show`, `cert new --out DIR/`, and passphrase-protected PKCS#8 keys.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;

use base64::Engine;
use support::saml::{ACS, IDP, SP, VERIFY_AT, issue, issue_with};
use support::{assert_error, fixture, run, samlkit, stdout};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_string()
}

/// `verify` of `doc` (written to a file) with the standard bindings and `trust` flags.
fn verify(doc: &str, trust: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "response.xml", doc);
    samlkit()
        .args(["verify", "--audience", SP, "--recipient", ACS, "--issuer", IDP, "--now", VERIFY_AT])
        .args(trust)
        .arg(&file)
        .output()
        .unwrap()
}

fn idp_fingerprint() -> String {
    samlkit_cert::Certificate::load(&std::fs::read(fixture("certs/idp.crt")).unwrap())
        .unwrap()
        .sha256_fingerprint()
}

#[test]
fn certificates_with_a_bom_or_as_bare_base64_are_trusted_like_pem() {
    let dir = tempfile::tempdir().unwrap();
    let pem = std::fs::read_to_string(fixture("certs/idp.crt")).unwrap();
    let der = std::fs::read(fixture("certs/idp.der")).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
    let wrapped: String = b64
        .as_bytes()
        .chunks(64)
        .map(|c| format!("    {}\n", std::str::from_utf8(c).unwrap()))
        .collect();
    let doc = issue(&[]);
    for (name, contents) in
        [("bom.crt", format!("\u{feff}{pem}")), ("bare.b64", b64), ("wrapped.b64", wrapped)]
    {
        let cert = write(dir.path(), name, contents);
        let out = verify(&doc, &["--cert", &cert]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        assert!(stdout(&out).contains(": valid"), "{name}");
        let shown = run(&["cert", "show", &cert]);
        assert!(stdout(&shown).contains(&idp_fingerprint()), "{name}: {}", stdout(&shown));
    }
    // A BOM before a PEM key loads too.
    let key = std::fs::read_to_string(fixture("keys/idp.key")).unwrap();
    let bom_key = write(dir.path(), "bom.key", format!("\u{feff}{key}"));
    let out = run(&["cert", "show", &fixture("certs/idp.crt"), "--key", &bom_key]);
    assert!(
        stdout(&out).contains("key matches   yes") || stdout(&out).contains("yes ("),
        "{}",
        stdout(&out)
    );
}

#[test]
fn trust_from_idp_metadata_checked_against_its_signer() {
    let dir = tempfile::tempdir().unwrap();
    let out = samlkit()
        .args(["metadata", "--entity-id", IDP, "--sso-url", "https://idp.example.com/sso"])
        .args(["--cert", &fixture("certs/idp.crt"), "--sign", "--key", &fixture("keys/idp.key")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let metadata = write(dir.path(), "idp-metadata.xml", &out.stdout);
    let doc = issue(&[]);

    let ok =
        verify(&doc, &["--idp-metadata", &metadata, "--metadata-cert", &fixture("certs/idp.crt")]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let unsigned_check = verify(&doc, &["--idp-metadata", &metadata]);
    assert_eq!(unsigned_check.status.code(), Some(0), "{}", stderr(&unsigned_check));

    // Metadata signed by someone else is refused before any response is looked at.
    let wrong_signer = verify(
        &doc,
        &["--idp-metadata", &metadata, "--metadata-cert", &fixture("certs/attacker.crt")],
    );
    assert_error(&wrong_signer, 1, "--idp-metadata");
    // A response signed by a key the metadata does not publish is not trusted.
    let forged = issue_with("keys/attacker.key", "certs/attacker.crt", &[]);
    let out = verify(&forged, &["--idp-metadata", &metadata]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn a_fingerprint_pins_the_keyinfo_certificate_and_nothing_else() {
    let fp = idp_fingerprint();
    let doc = issue(&[]);
    let lower_no_colons = format!("sha256:{}", fp.replace(':', "").to_lowercase());
    for pin in [format!("sha256:{fp}"), fp.clone(), lower_no_colons] {
        let out = verify(&doc, &["--fingerprint", &pin]);
        assert_eq!(out.status.code(), Some(0), "{pin}: {}", stderr(&out));
    }
    // Attack: the attacker signs with their own key and puts their certificate in KeyInfo.
    let forged = issue_with("keys/attacker.key", "certs/attacker.crt", &[]);
    let out = verify(&forged, &["--fingerprint", &format!("sha256:{fp}")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("the certificate in the signature's KeyInfo (SHA-256")
            && err.contains("matches no pinned fingerprint"),
        "{err}"
    );
    // Attack: the attacker's certificate in KeyInfo of an honest response does not help either,
    // and a pin that is not a SHA-256 fingerprint is a usage error.
    let bad = verify(&doc, &["--fingerprint", "sha1:AB:CD"]);
    assert_error(&bad, 2, "only sha256 fingerprints are accepted");
    let short = verify(&doc, &["--fingerprint", "sha256:AB:CD"]);
    assert_error(&short, 2, "expected 32 bytes of hex");
}

#[test]
fn jwt_and_redirect_verify_read_files_and_still_take_pasted_values() {
    let dir = tempfile::tempdir().unwrap();
    let out = samlkit()
        .args([
            "jwt",
            "--key",
            &fixture("keys/idp.key"),
            "--iss",
            "c",
            "--sub",
            "alice@example.com",
        ])
        .args(["--now", "2026-11-29T10:00:00Z"])
        .output()
        .unwrap();
    let token = stdout(&out).trim().to_string();
    let file = write(dir.path(), "tok.txt", format!("{token}\n"));
    let base =
        ["jwt", "verify", "--cert", &fixture("certs/idp.crt"), "--now", "2026-11-29T10:01:00Z"];
    for extra in [vec![file.as_str()], vec!["--token", &token], vec![token.as_str()]] {
        let out = samlkit().args(base).args(&extra).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", stderr(&out));
        assert!(stdout(&out).starts_with("valid: RS256"), "{}", stdout(&out));
    }
    let missing = samlkit().args(base).arg("nope.txt").output().unwrap();
    assert_error(
        &missing,
        2,
        "cannot read nope.txt: no such file or directory (give the value itself with --token)",
    );

    let url = samlkit()
        .args(["redirect", "sign", "--key", &fixture("keys/idp.key")])
        .args(["--destination", "https://sp.example.com/slo"])
        .args(["--saml-request-file", &fixture("redirect/authn-request.xml")])
        .output()
        .unwrap();
    let url = stdout(&url).trim().to_string();
    let url_file = write(dir.path(), "url.txt", &url);
    let base = ["redirect", "verify", "--cert", &fixture("certs/idp.crt")];
    for extra in [vec![url_file.as_str()], vec!["--url", &url], vec![url.as_str()]] {
        let out = samlkit().args(base).args(&extra).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", stderr(&out));
        assert!(stdout(&out).starts_with("valid: SAMLRequest"), "{}", stdout(&out));
    }
    let missing = samlkit().args(base).arg("nope.txt").output().unwrap();
    assert_error(&missing, 2, "(give the value itself with --url)");
}

#[test]
fn cert_show_takes_several_files_and_csrs() {
    let out = run(&["cert", "show", &fixture("certs/idp.crt"), &fixture("certs/expired.crt")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("idp.crt") && text.contains("expired.crt"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let csr = dir.path().join("idp.csr");
    let made = run(&[
        "cert",
        "csr",
        "--key",
        &fixture("keys/idp.key"),
        "--cn",
        "idp.example.com",
        "--out",
        csr.to_str().unwrap(),
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
    let out = run(&["cert", "show", csr.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("CN=idp.example.com"), "{text}");
    assert!(text.contains("RSA 2048"), "{text}");
    assert!(text.contains("sha256WithRSAEncryption valid"), "{text}");
    let json = run(&["cert", "show", "--json", csr.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["type"], "certificate_request");
    assert_eq!(v["signature_valid"], true);

    // A request whose signed part was altered: the signature check fails, exit 1.
    let pem = std::fs::read_to_string(&csr).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut der = base64::engine::general_purpose::STANDARD.decode(body).unwrap();
    let at = der.windows(15).position(|w| w == b"idp.example.com").unwrap();
    der[at] = b'x';
    let tampered = write(
        dir.path(),
        "tampered.csr",
        format!(
            "-----BEGIN CERTIFICATE REQUEST-----\n{}\n-----END CERTIFICATE REQUEST-----\n",
            base64::engine::general_purpose::STANDARD.encode(&der)
        ),
    );
    let out = run(&["cert", "show", &tampered]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("INVALID"), "{}", stdout(&out));
}

#[test]
fn cert_new_into_a_directory_names_the_files_after_the_cn() {
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("existing");
    std::fs::create_dir(&existing).unwrap();
    let new_dir = format!("{}/", dir.path().join("new").display());
    for (out_dir, shown) in [
        (existing.to_str().unwrap().to_string(), existing.display().to_string()),
        (new_dir.clone(), new_dir.clone()),
    ] {
        let out = run(&["cert", "new", "--cn", "idp.example.com", "--out", &out_dir]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let dir = Path::new(&out_dir);
        assert!(dir.join("idp.example.com.crt").is_file());
        assert!(dir.join("idp.example.com.key").is_file());
        assert!(!dir.join(".crt").exists() && !dir.join(".key").exists());
        assert!(stdout(&out).contains("idp.example.com.crt"), "{shown}: {}", stdout(&out));
    }
    // A CN with nothing usable as a file name is refused with what to do instead.
    let out = run(&["cert", "new", "--cn", "...", "--out", existing.to_str().unwrap()]);
    assert_error(&out, 2, "cannot derive a file name from --cn; give --out PREFIX");
}

#[test]
fn encrypted_pkcs8_keys_load_with_a_password_from_env_file_or_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let key = fixture("keys/idp-encrypted.key");
    let crt = fixture("certs/idp.crt");
    let show = |extra: &[&str], env: Option<&str>, stdin: &str| {
        let mut cmd = samlkit();
        cmd.args(["cert", "show", &crt, "--key", &key]).args(extra);
        if let Some(value) = env {
            cmd.env("KEY_PASS", value);
        }
        cmd.write_stdin(stdin.to_string()).output().unwrap()
    };
    let good_file = write(dir.path(), "pass.txt", "fixture\n");
    let bad_file = write(dir.path(), "bad.txt", "nope\n");
    for (extra, env, stdin) in [
        (vec!["--password-env", "KEY_PASS"], Some("fixture"), ""),
        (vec!["--password-file", good_file.as_str()], None, ""),
        (vec!["--password-stdin"], None, "fixture\n"),
    ] {
        let out = show(&extra, env, stdin);
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("yes ("), "{}", stdout(&out));
    }
    for (extra, env) in [
        (vec!["--password-env", "KEY_PASS"], Some("wrong")),
        (vec!["--password-file", bad_file.as_str()], None),
    ] {
        let out = show(&extra, env, "");
        assert_error(&out, 2, "idp-encrypted.key: invalid encrypted private key: wrong password");
    }
    // The key signs like the plain one (issue with the encrypted key verifies).
    let out = samlkit()
        .args([
            "issue",
            "--key",
            &key,
            "--cert",
            &crt,
            "--issuer",
            IDP,
            "--name-id",
            "a@example.com",
        ])
        .args(["--password-env", "KEY_PASS"])
        .env("KEY_PASS", "fixture")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[cfg_attr(missing_openssl, ignore = "needs openssl")]
#[test]
fn keys_encrypted_by_openssl_load() {
    support::require(&support::tools::OPENSSL);
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("aes256.key", vec!["-v2", "aes-256-cbc"]),
        ("aes128.key", vec!["-v2", "aes-128-cbc"]),
        ("scrypt.key", vec!["-scrypt"]),
    ] {
        let out_path = dir.path().join(name);
        let mut cmd = std::process::Command::new("openssl");
        cmd.args(["pkcs8", "-topk8", "-in", &fixture("keys/idp.key"), "-passout", "pass:s3cret"])
            .args(&args)
            .args(["-out", out_path.to_str().unwrap()]);
        support::run_ok(&mut cmd);
        let out = samlkit()
            .args(["cert", "show", &fixture("certs/idp.crt"), "--key", out_path.to_str().unwrap()])
            .args(["--password-env", "KEY_PASS"])
            .env("KEY_PASS", "s3cret")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        assert!(stdout(&out).contains("yes ("), "{name}: {}", stdout(&out));
    }
}

#[test]
fn c14n_takes_several_files() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.xml", "<a  x='1'/>");
    let b = write(dir.path(), "b.xml", "<b></b>");
    let out = run(&["c14n", &a, &b]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("==> {a} <==\n<a x=\"1\"></a>\n==> {b} <==\n<b></b>\n"));
    // One file alone is written as exact bytes, and a bad file spoils the batch before any output.
    assert_eq!(stdout(&run(&["c14n", &a])), "<a x=\"1\"></a>");
    let bad = write(dir.path(), "bad.xml", "<c>");
    let out = run(&["c14n", &a, &bad]);
    assert_error(&out, 2, "bad.xml:");
    assert!(out.stdout.is_empty());
}

const INVENTORY_NOW: &str = "2026-06-01T00:00:00Z";

fn inventory(file: &str, extra: &[&str]) -> std::process::Output {
    samlkit()
        .args(["inventory", "--file", file, "--now", INVENTORY_NOW])
        .args(extra)
        .env("KS_PASS", "changeit-123")
        .output()
        .unwrap()
}

/// The names of the rows of `inventory --json`.
fn names(out: &std::process::Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn inventory_filters_by_status_and_owner() {
    let file = fixture("inventory/samlkit.toml");
    let cases: [(&[&str], &[&str], i32); 4] = [
        (
            &["--status", "renew,expired"],
            &["legacy-partner-portal", "jwt-bearer-integration", "sso-signing-2026"],
            1,
        ),
        (&["--owner", "IDENTITY-team@example.com"], &["sso-signing-2026", "idp-signing"], 1),
        (&["--owner", "identity-team@example.com", "--status", "ok"], &["idp-signing"], 0),
        (&["--owner", "nobody@example.com"], &[], 0),
    ];
    for (filter, expected, code) in cases {
        let out = inventory(&file, &[&["--json"], filter].concat());
        assert_eq!(out.status.code(), Some(code), "{filter:?}: {}", stderr(&out));
        assert_eq!(names(&out), expected, "{filter:?}");
    }
    let table = inventory(&file, &["--status", "expired"]);
    assert!(stdout(&table).contains("legacy-partner-portal"), "{}", stdout(&table));
    assert!(!stdout(&table).contains("idp-signing"), "{}", stdout(&table));
    let bad = inventory(&file, &["--status", "renewal"]);
    assert_error(
        &bad,
        2,
        "--status \"renewal\" is not one of ok, renew, expired, not-yet-valid, error",
    );
}

#[test]
fn inventory_entries_may_be_keystores_or_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let jks = dir.path().join("idp.jks");
    let out = samlkit()
        .args(["cert", "export", "--format", "jks", "--key", &fixture("keys/idp.key")])
        .args(["--cert", &fixture("certs/idp.crt"), "--alias", "idp_signing"])
        .args(["--out", jks.to_str().unwrap(), "--password-env", "KS_PASS"])
        .env("KS_PASS", "changeit-123")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let metadata = samlkit()
        .args(["metadata", "--entity-id", IDP, "--sso-url", "https://idp.example.com/sso"])
        .args(["--cert", &fixture("certs/idp.crt")])
        .args(["--next-cert", &fixture("certs/expires-2026-08-15.crt")])
        .output()
        .unwrap();
    assert!(metadata.status.success(), "{}", stderr(&metadata));
    write(dir.path(), "idp-metadata.xml", &metadata.stdout);
    let toml = write(
        dir.path(),
        "samlkit.toml",
        "[[certificate]]\nname = \"jks\"\ncert = \"idp.jks\"\nalias = \"idp_signing\"\npassword_env = \"KS_PASS\"\n\n\
         [[certificate]]\nname = \"metadata\"\ncert = \"idp-metadata.xml\"\nwarn_days = 30\n\n\
         [[certificate]]\nname = \"jks-no-password\"\ncert = \"idp.jks\"\n\n\
         [[certificate]]\nname = \"jks-wrong-alias\"\ncert = \"idp.jks\"\nalias = \"other\"\npassword_env = \"KS_PASS\"\n",
    );
    let out = inventory(&toml, &["--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entry = |name: &str| {
        v["entries"].as_array().unwrap().iter().find(|e| e["name"] == name).unwrap().clone()
    };
    let fp = idp_fingerprint();
    assert_eq!(entry("jks")["status"], "ok", "{v}");
    assert_eq!(entry("jks")["sha256_fingerprint"], fp, "{v}");
    // The metadata's soonest-expiring signing certificate is the one checked (the next cert,
    // 75 days left with a 30-day window: ok; the row shows its expiry).
    assert_eq!(entry("metadata")["status"], "ok", "{v}");
    assert!(entry("metadata")["not_after"].as_str().unwrap().starts_with("2026-08-15"), "{v}");
    assert_eq!(entry("jks-no-password")["status"], "error", "{v}");
    assert!(
        entry("jks-no-password")["error"].as_str().unwrap().contains("give `password_env`"),
        "{v}"
    );
    assert!(entry("jks-wrong-alias")["error"].as_str().unwrap().contains("'other'"), "{v}");
}
