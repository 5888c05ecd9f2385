//! samlkit-cert's keystore codecs (the library API, not the CLI) against the JDK's keytool and
//! OpenSSL: files we write are listed by keytool / `openssl pkcs12`, and files keytool writes are
//! read back by us.
//!
//! These live in the root package rather than in `crates/samlkit-cert/tests` because the root's
//! build script probes for the tools: without them these tests are reported as ignored (with the
//! reason), and under SAMLKIT_REQUIRE_INTEROP they fail.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::Command;

use samlkit_cert::keystore::{self, KeyEntry, KeystoreFormat};
use support::{require, tools};

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh RSA key (PKCS#8 DER) and self-signed certificate (DER) made by OpenSSL.
fn openssl_key_and_cert(dir: &Path, bits: u32) -> (Vec<u8>, Vec<u8>) {
    let key_pem = dir.join("k.pem");
    let key = dir.join("k.der");
    let cert = dir.join("c.der");
    run(Command::new("openssl").args(["genpkey", "-algorithm", "RSA"]).args([
        "-pkeyopt",
        &format!("rsa_keygen_bits:{bits}"),
        "-out",
        key_pem.to_str().unwrap(),
    ]));
    // `genpkey -outform DER` would write PKCS#1; keystores hold PKCS#8.
    run(Command::new("openssl")
        .args(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in"])
        .args([key_pem.to_str().unwrap(), "-out", key.to_str().unwrap()]));
    run(Command::new("openssl")
        .args(["req", "-x509", "-new", "-days", "30", "-subj", "/CN=interop"])
        .args([
            "-key",
            key_pem.to_str().unwrap(),
            "-outform",
            "DER",
            "-out",
            cert.to_str().unwrap(),
        ]));
    (std::fs::read(key).unwrap(), std::fs::read(cert).unwrap())
}

#[test]
#[cfg_attr(
    any(missing_keytool, missing_openssl),
    ignore = "keytool (JDK) or openssl not installed: run scripts/install-test-deps.sh"
)]
fn keytool_lists_our_jks_and_openssl_reads_our_p12() {
    require(&tools::KEYTOOL);
    require(&tools::OPENSSL);
    let dir = tempfile::tempdir().unwrap();
    let (key, cert) = openssl_key_and_cert(dir.path(), 2048);
    let entry =
        KeyEntry { alias: "SSO".into(), pkcs8_der: key.clone().into(), chain: vec![cert.clone()] };

    let jks = dir.path().join("out.jks");
    std::fs::write(
        &jks,
        keystore::write(KeystoreFormat::Jks, &entry, "s3cret-pw", 1_700_000_000_000).unwrap(),
    )
    .unwrap();
    let listing = run(Command::new("keytool")
        .args(["-list", "-v", "-storepass", "s3cret-pw", "-keystore"])
        .arg(&jks));
    assert!(listing.contains("Keystore type: JKS"), "{listing}");
    assert!(listing.contains("Alias name: sso"), "{listing}");
    assert!(listing.contains("Entry type: PrivateKeyEntry"), "{listing}");
    assert!(listing.contains("Owner: CN=interop"), "{listing}");

    // keytool can also decrypt the key: converting to PKCS#12 needs the plain key.
    let converted = dir.path().join("conv.p12");
    run(Command::new("keytool")
        .args(["-importkeystore", "-srcstorepass", "s3cret-pw", "-deststorepass", "s3cret-pw"])
        .args(["-deststoretype", "PKCS12", "-srckeystore"])
        .arg(&jks)
        .arg("-destkeystore")
        .arg(&converted));
    let back = keystore::read(&std::fs::read(&converted).unwrap(), "s3cret-pw").unwrap();
    assert_eq!(back.format, KeystoreFormat::Pkcs12);
    assert_eq!(*back.entries[0].pkcs8_der, key);
    assert_eq!(back.entries[0].chain, vec![cert.clone()]);

    let p12 = dir.path().join("out.p12");
    std::fs::write(&p12, keystore::write(KeystoreFormat::Pkcs12, &entry, "s3cret-pw", 0).unwrap())
        .unwrap();
    let info = run(Command::new("openssl")
        .args(["pkcs12", "-info", "-nodes", "-passin", "env:P12_PASS", "-in"])
        .arg(&p12)
        .env("P12_PASS", "s3cret-pw"));
    assert!(info.contains("BEGIN PRIVATE KEY"), "{info}");
    assert!(info.contains("subject=CN = interop"), "{info}");
    let listing = run(Command::new("keytool")
        .args(["-list", "-v", "-storepass", "s3cret-pw", "-keystore"])
        .arg(&p12));
    // The JDK lower-cases PKCS#12 aliases when it loads them; OpenSSL shows the stored name.
    assert!(listing.contains("Alias name: sso"), "{listing}");
    assert!(listing.contains("Entry type: PrivateKeyEntry"), "{listing}");
    assert!(info.contains("friendlyName: SSO"), "{info}");
}

#[test]
#[cfg_attr(
    missing_keytool,
    ignore = "keytool (JDK) not installed: run scripts/install-test-deps.sh"
)]
fn we_read_keystores_keytool_generates() {
    require(&tools::KEYTOOL);
    let dir = tempfile::tempdir().unwrap();
    for (storetype, format) in [("JKS", KeystoreFormat::Jks), ("PKCS12", KeystoreFormat::Pkcs12)] {
        let path = dir.path().join(format!("gen.{storetype}"));
        run(Command::new("keytool")
            .args(["-genkeypair", "-alias", "Signing", "-keyalg", "RSA", "-keysize", "2048"])
            .args(["-dname", "CN=keytool-made", "-validity", "30", "-storetype", storetype])
            .args(["-storepass", "changeit", "-keypass", "changeit", "-keystore"])
            .arg(&path));
        let bytes = std::fs::read(&path).unwrap();
        let contents = keystore::read(&bytes, "changeit").unwrap();
        assert_eq!(contents.format, format);
        let entry = contents.select(Some("signing")).unwrap();
        assert_eq!(entry.chain.len(), 1);
        assert!(entry.pkcs8_der.len() > 1000, "a 2048-bit PKCS#8 key");
        assert!(matches!(
            keystore::read(&bytes, "wrong"),
            Err(samlkit_cert::CertError::KeystoreIntegrity)
        ));
    }
}
