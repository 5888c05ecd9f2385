//! `samlkit cert export` and `samlkit cert import` end to end, with keytool and OpenSSL as the
//! independent implementations on the other side.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::{
    assert_error, fixture, mode, python_script, require, run_ok, samlkit, stdout, tools,
};

const PASSWORD: &str = "s3cret-Pass";

fn export(format: &str, key: &str, cert: &str, out: &Path, extra: &[&str]) -> Output {
    export_with_password(format, key, cert, out, PASSWORD, extra)
}

/// `cert export` with `KS_PASS` (the `--password-env` variable) set to `password`.
fn export_with_password(
    format: &str,
    key: &str,
    cert: &str,
    out: &Path,
    password: &str,
    extra: &[&str],
) -> Output {
    samlkit()
        .args([
            "cert",
            "export",
            "--format",
            format,
            "--key",
            key,
            "--cert",
            cert,
            "--password-env",
            "KS_PASS",
        ])
        .arg("--out")
        .arg(out)
        .args(extra)
        .env("KS_PASS", password)
        .output()
        .unwrap()
}

/// `keytool -list -v` of a keystore protected by [`PASSWORD`].
fn keytool_list(keystore: &Path) -> String {
    stdout(&run_ok(
        Command::new("keytool")
            .args(["-list", "-v", "-storepass", PASSWORD, "-keystore"])
            .arg(keystore),
    ))
}

fn import(keystore: &Path, prefix: &Path, password: &str, extra: &[&str]) -> Output {
    samlkit()
        .args(["cert", "import", "--password-env", "KS_PASS"])
        .arg(keystore)
        .arg("--out")
        .arg(prefix)
        .args(extra)
        .env("KS_PASS", password)
        .output()
        .unwrap()
}

/// `keytool -genkeypair` into `path` with the given store type, key algorithm/size and passwords.
fn keytool_genkeypair(
    path: &Path,
    storetype: &str,
    alias: &str,
    keyalg: &str,
    keysize: &str,
    keypass: &str,
) {
    run_ok(
        Command::new("keytool")
            .args(["-genkeypair", "-alias", alias, "-keyalg", keyalg, "-keysize", keysize])
            .args([
                "-dname",
                &format!("CN={alias}.example.com"),
                "-validity",
                "30",
                "-storetype",
                storetype,
            ])
            .args(["-storepass", PASSWORD, "-keypass", keypass, "-keystore"])
            .arg(path),
    );
}

/// `cert export --format jks` of the IdP fixture into `dir/idp.jks`, checked and returned.
fn export_idp_jks(dir: &Path) -> std::path::PathBuf {
    let jks = dir.join("idp.jks");
    let out = export(
        "jks",
        &fixture("keys/idp.key"),
        &fixture("certs/idp.crt"),
        &jks,
        &["--alias", "IdP_Signing"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("alias 'idp_signing'"), "{}", stdout(&out));
    assert_eq!(mode(&jks), 0o600);
    jks
}

#[test]
#[cfg_attr(
    missing_keytool,
    ignore = "keytool (JDK) not installed: run scripts/install-test-deps.sh"
)]
fn jks_export_is_listed_and_converted_by_keytool() {
    require(&tools::KEYTOOL);
    let dir = tempfile::tempdir().unwrap();
    let jks = export_idp_jks(dir.path());
    let listing = keytool_list(&jks);
    assert!(listing.contains("Keystore type: JKS"), "{listing}");
    assert!(listing.contains("Alias name: idp_signing"), "{listing}");
    assert!(listing.contains("Entry type: PrivateKeyEntry"), "{listing}");
    assert!(listing.contains("Owner: O=Example IdP, CN=idp.example.com"), "{listing}");
    // keytool can also decrypt the key entry (it needs the plain key to convert it).
    let p12 = dir.path().join("converted.p12");
    run_ok(
        Command::new("keytool")
            .args([
                "-importkeystore",
                "-srcstorepass",
                PASSWORD,
                "-deststorepass",
                PASSWORD,
                "-deststoretype",
                "PKCS12",
            ])
            .arg("-srckeystore")
            .arg(&jks)
            .arg("-destkeystore")
            .arg(&p12),
    );
    let back = import(&p12, &dir.path().join("from-keytool"), PASSWORD, &[]);
    assert!(back.status.success(), "{}", String::from_utf8_lossy(&back.stderr));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("from-keytool.key")).unwrap(),
        std::fs::read_to_string(fixture("keys/idp.key")).unwrap()
    );
}

#[test]
fn jks_export_imports_back() {
    let dir = tempfile::tempdir().unwrap();
    let jks = export_idp_jks(dir.path());
    let prefix = dir.path().join("imported");
    let out = import(&jks, &prefix, PASSWORD, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout(&out).starts_with("imported 'idp_signing' from JKS: RSA 2048 key"),
        "{}",
        stdout(&out)
    );
    let key = dir.path().join("imported.key");
    assert_eq!(mode(&key), 0o600);
    assert_eq!(
        std::fs::read_to_string(&key).unwrap(),
        std::fs::read_to_string(fixture("keys/idp.key")).unwrap()
    );
    let crt = std::fs::read_to_string(dir.path().join("imported.crt")).unwrap();
    assert_eq!(crt.matches("BEGIN CERTIFICATE").count(), 1);

    // The keystore may come from standard input.
    let piped = samlkit()
        .args(["cert", "import", "-", "--password-env", "KS_PASS", "--out"])
        .arg(dir.path().join("piped"))
        .env("KS_PASS", PASSWORD)
        .write_stdin(std::fs::read(&jks).unwrap())
        .output()
        .unwrap();
    assert!(piped.status.success(), "{}", String::from_utf8_lossy(&piped.stderr));
    assert_eq!(mode(&dir.path().join("piped.key")), 0o600);

    // Existing outputs are kept unless --force.
    assert_error(
        &import(&jks, &prefix, PASSWORD, &[]),
        2,
        "imported.key already exists; use --force",
    );
    assert!(import(&jks, &prefix, PASSWORD, &["--force"]).status.success());
    assert_error(
        &export("jks", &fixture("keys/idp.key"), &fixture("certs/idp.crt"), &jks, &[]),
        2,
        "idp.jks already exists; use --force",
    );
}

/// `cert export --format p12` of the IdP fixture into `dir/idp.p12`, checked and returned.
fn export_idp_p12(dir: &Path) -> std::path::PathBuf {
    let p12 = dir.join("idp.p12");
    let out = export("p12", &fixture("keys/idp.key"), &fixture("certs/idp.crt"), &p12, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout(&out).contains("alias 'idp_example_com'"),
        "default alias from the CN: {}",
        stdout(&out)
    );
    p12
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn p12_export_is_read_by_openssl_and_a_p12_without_mac_is_refused() {
    require(&tools::OPENSSL);
    let dir = tempfile::tempdir().unwrap();
    let p12 = export_idp_p12(dir.path());
    let info = run_ok(
        Command::new("openssl")
            .args(["pkcs12", "-info", "-nodes", "-passin", "env:KS_PASS", "-in"])
            .arg(&p12)
            .env("KS_PASS", PASSWORD),
    );
    let text = format!("{}{}", stdout(&info), String::from_utf8_lossy(&info.stderr));
    assert!(text.contains("MAC: sha256"), "{text}");
    assert!(text.contains("PBES2, PBKDF2, AES-256-CBC"), "{text}");
    assert!(text.contains("friendlyName: idp_example_com"), "{text}");
    assert!(text.contains("subject=CN = idp.example.com, O = Example IdP"), "{text}");
    assert!(text.contains("-----BEGIN PRIVATE KEY-----"), "{text}");
    // A PKCS#12 file without a MAC proves nothing about its password or content: refused.
    let pem = dir.path().join("key-and-cert.pem");
    std::fs::write(&pem, stdout(&info)).unwrap();
    let no_mac = dir.path().join("nomac.p12");
    run_ok(
        Command::new("openssl")
            .args(["pkcs12", "-export", "-nomac", "-passout", "env:KS_PASS", "-in"])
            .arg(&pem)
            .arg("-out")
            .arg(&no_mac)
            .env("KS_PASS", PASSWORD),
    );
    assert_error(
        &import(&no_mac, &dir.path().join("nomac"), PASSWORD, &[]),
        2,
        "has no integrity MAC",
    );
    let wrong = Command::new("openssl")
        .args(["pkcs12", "-info", "-nodes", "-passin", "pass:wrong-password", "-in"])
        .arg(&p12)
        .output()
        .unwrap();
    assert!(!wrong.status.success());
}

#[test]
#[cfg_attr(
    missing_keytool,
    ignore = "keytool (JDK) not installed: run scripts/install-test-deps.sh"
)]
fn p12_export_is_listed_by_keytool() {
    require(&tools::KEYTOOL);
    let dir = tempfile::tempdir().unwrap();
    let listing = keytool_list(&export_idp_p12(dir.path()));
    assert!(listing.contains("Keystore type: PKCS12"), "{listing}");
    assert!(listing.contains("Alias name: idp_example_com"), "{listing}");
    assert!(listing.contains("Entry type: PrivateKeyEntry"), "{listing}");
}

#[test]
fn p12_export_imports_back() {
    let dir = tempfile::tempdir().unwrap();
    let p12 = export_idp_p12(dir.path());
    let out = import(&p12, &dir.path().join("back"), PASSWORD, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("from PKCS#12"), "{}", stdout(&out));
}

#[test]
#[cfg_attr(
    missing_keytool,
    ignore = "keytool (JDK) not installed: run scripts/install-test-deps.sh"
)]
fn imports_keystores_keytool_generates() {
    require(&tools::KEYTOOL);
    let dir = tempfile::tempdir().unwrap();
    for (storetype, label) in [("JKS", "JKS"), ("PKCS12", "PKCS#12")] {
        let ks = dir.path().join(format!("gen-{storetype}"));
        keytool_genkeypair(&ks, storetype, "salesforce", "RSA", "3072", PASSWORD);
        let prefix = dir.path().join(format!("sf-{storetype}"));
        let out = import(&ks, &prefix, PASSWORD, &[]);
        assert!(out.status.success(), "{storetype}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout(&out).contains(&format!("from {label}: RSA 3072 key")), "{}", stdout(&out));
        // The certificate is the one keytool exports.
        let exported = run_ok(
            Command::new("keytool")
                .args([
                    "-exportcert",
                    "-rfc",
                    "-alias",
                    "salesforce",
                    "-storepass",
                    PASSWORD,
                    "-keystore",
                ])
                .arg(&ks),
        );
        let ours = std::fs::read_to_string(prefix.with_extension("crt")).unwrap();
        let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(strip(&ours), strip(&stdout(&exported)));
        // Wrong password: refused before anything is written.
        let wrong = import(&ks, &dir.path().join("never"), "wrong-password", &[]);
        assert_error(
            &wrong,
            2,
            "integrity check failed: the password is wrong or the file was modified",
        );
        assert!(!dir.path().join("never.key").exists());
    }
}

#[test]
#[cfg_attr(
    missing_keytool,
    ignore = "keytool (JDK) not installed: run scripts/install-test-deps.sh"
)]
fn salesforce_rules_on_import() {
    require(&tools::KEYTOOL);
    let dir = tempfile::tempdir().unwrap();
    let weak = dir.path().join("weak.jks");
    keytool_genkeypair(&weak, "JKS", "weak", "RSA", "1024", PASSWORD);
    assert_error(
        &import(&weak, &dir.path().join("w"), PASSWORD, &[]),
        1,
        "RSA 1024-bit key; Salesforce accepts only 2048, 3072 or 4096 bits",
    );
    assert!(!dir.path().join("w.key").exists());

    let ec = dir.path().join("ec.jks");
    keytool_genkeypair(&ec, "JKS", "ec", "EC", "256", PASSWORD);
    assert_error(
        &import(&ec, &dir.path().join("e"), PASSWORD, &[]),
        1,
        "holds an EC P-256 key; Salesforce accepts only RSA keys",
    );

    let keypass = dir.path().join("keypass.jks");
    keytool_genkeypair(&keypass, "JKS", "other", "RSA", "2048", "different-pass");
    assert_error(
        &import(&keypass, &dir.path().join("k"), PASSWORD, &[]),
        2,
        "protected with a different password than the keystore",
    );

    let two = dir.path().join("two.jks");
    keytool_genkeypair(&two, "JKS", "first", "RSA", "2048", PASSWORD);
    keytool_genkeypair(&two, "JKS", "second", "RSA", "2048", PASSWORD);
    assert_error(
        &import(&two, &dir.path().join("t"), PASSWORD, &[]),
        2,
        "several private keys (first, second); choose one with --alias",
    );
    assert_error(
        &import(&two, &dir.path().join("t"), PASSWORD, &["--alias", "third"]),
        2,
        "no private-key entry with alias 'third'",
    );
    let out = import(&two, &dir.path().join("t"), PASSWORD, &["--alias", "SECOND"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("CN=second.example.com"), "{}", stdout(&out));

    let trusted_only = dir.path().join("truststore.jks");
    run_ok(
        Command::new("keytool")
            .args([
                "-importcert",
                "-noprompt",
                "-alias",
                "idp",
                "-storetype",
                "JKS",
                "-storepass",
                PASSWORD,
            ])
            .args(["-file", &fixture("certs/idp.crt"), "-keystore"])
            .arg(&trusted_only),
    );
    assert_error(
        &import(&trusted_only, &dir.path().join("tr"), PASSWORD, &[]),
        2,
        "holds no private-key entry",
    );

    let jceks = dir.path().join("store.jceks");
    keytool_genkeypair(&jceks, "JCEKS", "j", "RSA", "2048", PASSWORD);
    assert_error(
        &import(&jceks, &dir.path().join("j"), PASSWORD, &[]),
        2,
        "JCEKS keystore, which is not supported",
    );
}

#[test]
fn import_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let not_keystore =
        import(Path::new(&fixture("certs/idp.crt")), &dir.path().join("x"), PASSWORD, &[]);
    assert_error(&not_keystore, 2, "not a JKS or PKCS#12 keystore");
    assert_error(
        &import(&dir.path().join("missing.jks"), &dir.path().join("x"), PASSWORD, &[]),
        2,
        "missing.jks: no such file or directory",
    );

    let jks = dir.path().join("ok.jks");
    assert!(
        export("jks", &fixture("keys/idp.key"), &fixture("certs/idp.crt"), &jks, &[])
            .status
            .success()
    );
    let bytes = std::fs::read(&jks).unwrap();
    let truncated = dir.path().join("truncated.jks");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    assert_error(
        &import(&truncated, &dir.path().join("x"), PASSWORD, &[]),
        2,
        "integrity check failed",
    );
    let mut flipped = bytes.clone();
    flipped[100] ^= 1;
    let tampered = dir.path().join("tampered.jks");
    std::fs::write(&tampered, &flipped).unwrap();
    assert_error(
        &import(&tampered, &dir.path().join("x"), PASSWORD, &[]),
        2,
        "integrity check failed",
    );

    // No --password-env and no terminal: told how to pass it.
    let no_tty = samlkit()
        .args(["cert", "import"])
        .arg(&jks)
        .arg("--out")
        .arg(dir.path().join("x"))
        .output()
        .unwrap();
    assert_error(
        &no_tty,
        2,
        "no terminal to prompt for the keystore password; pass --password-env VAR",
    );
    let unset = samlkit()
        .args(["cert", "import", "--password-env", "SAMLKIT_TEST_UNSET_VAR"])
        .arg(&jks)
        .arg("--out")
        .arg(dir.path().join("x"))
        .env_remove("SAMLKIT_TEST_UNSET_VAR")
        .output()
        .unwrap();
    assert_error(&unset, 2, "--password-env SAMLKIT_TEST_UNSET_VAR: the variable is not set");
    // There is no plain password flag.
    let flag = samlkit().args(["cert", "import", "--password", "x"]).arg(&jks).output().unwrap();
    assert_error(&flag, 2, "unexpected argument '--password'");
}

#[test]
fn export_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.jks");
    let mismatch =
        export("jks", &fixture("keys/attacker.key"), &fixture("certs/idp.crt"), &out, &[]);
    assert_error(
        &mismatch,
        1,
        "does not match its certificate (CN=idp.example.com, O=Example IdP)",
    );
    let p12_mismatch =
        export("p12", &fixture("keys/attacker.key"), &fixture("certs/idp.crt"), &out, &[]);
    assert_error(&p12_mismatch, 1, "does not match its certificate");
    let ec = export("jks", &fixture("keys/ec-p256.key"), &fixture("certs/ec-p256.crt"), &out, &[]);
    assert_error(&ec, 1, "Salesforce accepts only RSA keys");
    let weak = export(
        "jks",
        &fixture("keystore/rsa1024.key"),
        &fixture("keystore/rsa1024.crt"),
        &out,
        &[],
    );
    assert_error(&weak, 1, "RSA 1024-bit key");
    // PKCS#12 is not for Salesforce: an EC key is fine there.
    assert!(
        export(
            "p12",
            &fixture("keys/ec-p256.key"),
            &fixture("certs/ec-p256.crt"),
            &dir.path().join("ec.p12"),
            &[]
        )
        .status
        .success()
    );
    assert!(!out.exists(), "nothing written on failure");

    let short = export_with_password(
        "jks",
        &fixture("keys/idp.key"),
        &fixture("certs/idp.crt"),
        &out,
        "12345",
        &[],
    );
    assert_error(&short, 2, "at least 6 characters");
    let empty = export_with_password(
        "jks",
        &fixture("keys/idp.key"),
        &fixture("certs/idp.crt"),
        &out,
        "",
        &[],
    );
    assert_error(&empty, 2, "--password-env KS_PASS: the variable is empty");
    let bad_format = export("pem", &fixture("keys/idp.key"), &fixture("certs/idp.crt"), &out, &[]);
    assert_error(&bad_format, 2, "invalid value 'pem' for '--format <FORMAT>'");
    let bad_key = export("jks", &fixture("certs/idp.crt"), &fixture("certs/idp.crt"), &out, &[]);
    assert_error(&bad_key, 2, "idp.crt: no private key found");
    let bad_alias =
        export("jks", &fixture("keys/idp.key"), &fixture("certs/idp.crt"), &out, &["--alias", ""]);
    assert_error(&bad_alias, 2, "invalid alias ''");
    let no_tty = samlkit()
        .args([
            "cert",
            "export",
            "--format",
            "jks",
            "--key",
            &fixture("keys/idp.key"),
            "--cert",
            &fixture("certs/idp.crt"),
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_error(&no_tty, 2, "no terminal to prompt for the keystore password");
}

/// A CA-signed credential (leaf + intermediate CA) made by OpenSSL: (key, bundle, reversed bundle).
fn openssl_chain(dir: &Path) -> (String, String, String) {
    let p = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let openssl = |args: &[&str]| {
        run_ok(Command::new("openssl").args(args));
    };
    let new_rsa_key = |name: &str| {
        openssl(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            &p(name),
        ]);
    };
    new_rsa_key("ca.key");
    openssl(&[
        "req",
        "-x509",
        "-new",
        "-key",
        &p("ca.key"),
        "-subj",
        "/CN=Example Issuing CA",
        "-days",
        "30",
        "-out",
        &p("ca.crt"),
    ]);
    new_rsa_key("leaf.key");
    openssl(&[
        "req",
        "-new",
        "-key",
        &p("leaf.key"),
        "-subj",
        "/CN=sso.example.com",
        "-out",
        &p("leaf.csr"),
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        &p("leaf.csr"),
        "-CA",
        &p("ca.crt"),
        "-CAkey",
        &p("ca.key"),
        "-CAcreateserial",
        "-days",
        "30",
        "-out",
        &p("leaf.crt"),
    ]);
    let leaf = std::fs::read_to_string(p("leaf.crt")).unwrap();
    let ca = std::fs::read_to_string(p("ca.crt")).unwrap();
    std::fs::write(p("bundle.pem"), format!("{leaf}{ca}")).unwrap();
    std::fs::write(p("reversed.pem"), format!("{ca}{leaf}")).unwrap();
    (p("leaf.key"), p("bundle.pem"), p("reversed.pem"))
}

/// `cert export --format jks` of the OpenSSL-made CA-signed chain into `dir/chain.jks`; returns
/// the keystore, the key and the bundle in the wrong order.
fn export_openssl_chain(dir: &Path) -> (std::path::PathBuf, String, String) {
    let (key, bundle, reversed) = openssl_chain(dir);
    let jks = dir.join("chain.jks");
    let out = export("jks", &key, &bundle, &jks, &["--alias", "sso"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("2 certificate(s)"), "{}", stdout(&out));
    (jks, key, reversed)
}

#[test]
#[cfg_attr(
    any(missing_openssl, missing_keytool),
    ignore = "openssl or keytool (JDK) not installed: run scripts/install-test-deps.sh"
)]
fn keytool_lists_a_ca_signed_chain() {
    require(&tools::OPENSSL);
    require(&tools::KEYTOOL);
    let dir = tempfile::tempdir().unwrap();
    let (jks, _, _) = export_openssl_chain(dir.path());
    let listing = keytool_list(&jks);
    assert!(listing.contains("Certificate chain length: 2"), "{listing}");
    assert!(listing.contains("Issuer: CN=Example Issuing CA"), "{listing}");
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn ca_signed_chain_round_trips_and_order_is_checked() {
    require(&tools::OPENSSL);
    let dir = tempfile::tempdir().unwrap();
    let (jks, key, reversed) = export_openssl_chain(dir.path());
    let prefix = dir.path().join("chain-back");
    let back = import(&jks, &prefix, PASSWORD, &[]);
    assert!(back.status.success(), "{}", String::from_utf8_lossy(&back.stderr));
    let crt = std::fs::read_to_string(prefix.with_extension("crt")).unwrap();
    assert_eq!(crt.matches("BEGIN CERTIFICATE").count(), 2);
    // The leaf must come first: the CA certificate does not certify the key.
    let wrong = export("jks", &key, &reversed, &dir.path().join("reversed.jks"), &[]);
    assert_error(&wrong, 1, "does not match its certificate (CN=Example Issuing CA)");
}

/// Runs samlkit on a pseudo-terminal, typing `answers` at its password prompts.
fn on_tty(answers: &[&str], args: &[&str]) -> serde_json::Value {
    let bin = assert_cmd::cargo::cargo_bin("samlkit");
    let out = run_ok(python_script("tty_password.py").arg(answers.join(",")).arg(bin).args(args));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
#[cfg_attr(
    missing_python3,
    ignore = "/usr/bin/python3 not installed: run scripts/install-test-deps.sh"
)]
fn password_prompt_on_a_terminal_does_not_echo() {
    require(&tools::PYTHON3);
    let dir = tempfile::tempdir().unwrap();
    let jks = dir.path().join("typed.jks");
    let jks_arg = jks.to_string_lossy().into_owned();
    let (key, cert) = (fixture("keys/idp.key"), fixture("certs/idp.crt"));
    let export_args =
        ["cert", "export", "--format", "jks", "--key", &key, "--cert", &cert, "--out", &jks_arg];

    let differ = on_tty(&["typed-secret-1", "typed-secret-2"], &export_args);
    assert_eq!(differ["code"], 2, "{differ}");
    assert!(
        differ["shown"].as_str().unwrap().contains("error: the two passwords differ"),
        "{differ}"
    );

    let ok = on_tty(&["typed-secret-1", "typed-secret-1"], &export_args);
    let shown = ok["shown"].as_str().unwrap();
    assert_eq!(ok["code"], 0, "{ok}");
    assert!(
        shown.contains("Keystore password:") && shown.contains("Repeat the password:"),
        "{shown}"
    );
    assert!(!shown.contains("typed-secret-1"), "the password must not be echoed: {shown}");

    // The typed password is the keystore's: import with it from the environment.
    let back = import(&jks, &dir.path().join("typed"), "typed-secret-1", &[]);
    assert!(back.status.success(), "{}", String::from_utf8_lossy(&back.stderr));
    // And typed at the import prompt (asked once).
    let prefix = dir.path().join("typed-again").to_string_lossy().into_owned();
    let typed = on_tty(&["typed-secret-1"], &["cert", "import", &jks_arg, "--out", &prefix]);
    assert_eq!(typed["code"], 0, "{typed}");
    assert!(!typed["shown"].as_str().unwrap().contains("typed-secret-1"));
}
