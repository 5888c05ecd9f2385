//! Runs the README as a new user would: every ```sh block of the whole file, top to bottom, in
//! one fresh directory (where `fixtures` points at the repository's fixtures and `samlkit` on
//! PATH is the binary under test), one bash process per block (`set -euo pipefail`), then checks
//! what each section's blocks printed and wrote (not only that they exited 0).
//!
//! The convention for README blocks (follow it when you add one):
//! - a ```sh block must run as written after the blocks above it, from the repository root, in
//!   a directory that holds only what earlier blocks wrote: no `...` or made-up file names;
//!   create what it needs (a key pair, a response) in it or in an earlier block, and do not
//!   reuse a file name an earlier section writes (`samlkit` refuses to overwrite most outputs);
//! - a command that exits 1 on purpose is written `cmd || [ $? -eq 1 ]`, and says so;
//! - a block runs in its own bash process: shell variables do not carry over, files do;
//! - every section (`## ` or `### ` heading) with a sh block has its checks in
//!   [`check_outputs`] under its exact heading: a new block comes with its checks;
//! - ```text (and any other fence) is not run: use it for network calls and for sample output;
//! - a block that cannot run here is preceded by the line
//!   `<!-- readme-test: skip (REASON) -->`; the reason is required. Today only two are: the
//!   `cargo build` that builds the binary under test, and `scripts/test.sh` (the suite this test
//!   is part of). The `## Performance` section is skipped as a whole ([`SKIPPED_SECTIONS`]):
//!   its blocks are benchmarks that take minutes, measurements rather than recipes.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::saml::{BREAK_KINDS, ENCRYPTED_BREAK_KINDS};
use support::{mode, require, root, tools};

/// Sections whose sh blocks are not run, with the reason.
const SKIPPED_SECTIONS: &[(&str, &str)] = &[(
    "Performance",
    "benchmarks and profiling runs that take minutes; measurements, not recipes",
)];

/// The marker line that skips the sh block right after it.
const SKIP_MARKER: &str = "<!-- readme-test: skip (";

/// A `## ` or `### ` section and its `sh` blocks, in README order.
struct Section {
    title: String,
    blocks: Vec<String>,
    skipped: Vec<String>,
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).expect("README.md")
}

/// Every section of the README with its sh blocks (run or skipped), in order.
fn sections() -> Vec<Section> {
    let readme = readme();
    let mut out: Vec<Section> = Vec::new();
    let mut in_sh = false;
    let mut in_other = false;
    let mut skip_next: Option<String> = None;
    let mut skipping = false;
    for line in readme.lines() {
        if in_sh || in_other {
            if line.trim_start() == "```" {
                in_sh = false;
                in_other = false;
            } else if in_sh {
                let section = out.last_mut().expect("a sh block belongs to a section");
                let list = if skipping { &mut section.skipped } else { &mut section.blocks };
                let block = list.last_mut().expect("opened by ```sh");
                block.push_str(line);
                block.push('\n');
            }
        } else if let Some(title) = line.strip_prefix("### ").or_else(|| line.strip_prefix("## ")) {
            out.push(Section { title: title.to_string(), blocks: Vec::new(), skipped: Vec::new() });
        } else if let Some(reason) = line.strip_prefix(SKIP_MARKER) {
            let reason = reason.strip_suffix(") -->").unwrap_or("").trim();
            assert!(!reason.is_empty(), "a skip marker needs a reason: {line}");
            skip_next = Some(reason.to_string());
        } else if line.trim_start() == "```sh" {
            in_sh = true;
            let section = out.last_mut().expect("a sh block belongs to a section");
            let skipped_section = SKIPPED_SECTIONS.iter().any(|(t, _)| *t == section.title);
            skipping = skip_next.take().is_some() || skipped_section;
            if skipping {
                section.skipped.push(String::new());
            } else {
                section.blocks.push(String::new());
            }
        } else if line.trim_start().starts_with("```") {
            in_other = true;
        } else if !line.trim().is_empty() {
            assert!(skip_next.is_none(), "a skip marker must come right before a ```sh block");
        }
    }
    out
}

fn samlkit_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_samlkit"))
}

/// Runs one `sh` block with `bash -euo pipefail` in `dir` (where `fixtures` points at the
/// repository's fixtures) with the binary under test first on PATH; returns its standard output,
/// after asserting it succeeded.
fn run_block(title: &str, block: &str, dir: &Path) -> String {
    let bin_dir = samlkit_bin().parent().expect("bin dir").to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", block])
        .current_dir(dir)
        .env("PATH", path)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "README section {title:?} failed\n--- block\n{block}--- stdout\n{stdout}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn the_first_command_builds_once_visibly_then_runs_the_pipeline() {
    let sections = sections();
    let first = sections.iter().find(|s| !s.blocks.is_empty() || !s.skipped.is_empty()).unwrap();
    assert_eq!(first.title, "The two commands");
    // The build: one cargo command, without -q, and the binary on PATH for every later block.
    assert_eq!(
        first.skipped[0],
        "cargo build --release\nexport PATH=\"$PWD/target/release:$PATH\"\n"
    );
    assert_eq!(first.skipped[1], "bash scripts/test.sh\n");
    let pipeline = &first.blocks[0];
    assert!(pipeline.starts_with("samlkit issue --key fixtures/keys/idp.key"), "{pipeline}");
    assert!(pipeline.contains("  | samlkit verify --cert fixtures/certs/idp.crt"), "{pipeline}");
    assert!(!readme().contains("cargo run -q"), "no `cargo run -q` (it hides the build)");
    // The Justfile's demo does the same: build once, then the release binary in the pipe.
    let justfile = std::fs::read_to_string(root().join("Justfile")).unwrap();
    let demo = justfile.split("\ndemo:\n").nth(1).expect("a demo recipe");
    let demo: Vec<&str> = demo.lines().take_while(|l| l.starts_with("    ")).collect();
    assert_eq!(demo[0].trim(), "cargo build --release", "{demo:?}");
    assert!(demo[1].trim().starts_with("target/release/samlkit issue "), "{demo:?}");
    assert!(demo[1].contains("| target/release/samlkit verify "), "{demo:?}");
}

#[test]
fn only_the_build_and_the_test_suite_are_skipped() {
    let skipped: Vec<(String, usize)> = sections()
        .into_iter()
        .filter(|s| !s.skipped.is_empty())
        .map(|s| (s.title, s.skipped.len()))
        .collect();
    assert_eq!(
        skipped,
        [("The two commands".to_string(), 2), ("Performance".to_string(), 1)],
        "a new skip needs a reason in the README and an entry here"
    );
}

#[test]
fn the_readme_has_the_recipes_the_issue_asks_for() {
    let titles: Vec<String> = sections().into_iter().map(|r| r.title).collect();
    for wanted in [
        "Rotate a signing certificate",
        "Log into a Salesforce org with an HTML POST form",
        "Get an OAuth token with the JWT bearer flow",
        "Verify a SAMLResponse captured from a browser",
    ] {
        assert!(titles.iter().any(|t| t == wanted), "missing recipe {wanted:?} in {titles:?}");
    }
    let recipes =
        readme().split("\n## Recipes\n").nth(1).unwrap().split("\n## ").next().unwrap().to_string();
    for r in sections().into_iter().filter(|s| recipes.contains(&format!("### {}\n", s.title))) {
        assert!(
            r.blocks.iter().any(|b| !b.trim().is_empty()),
            "recipe {:?} has no sh block",
            r.title
        );
    }
}

#[test]
#[cfg_attr(missing_keytool, ignore = "needs keytool: run scripts/install-test-deps.sh")]
#[cfg_attr(missing_openssl, ignore = "needs openssl: run scripts/install-test-deps.sh")]
fn every_sh_block_runs_top_to_bottom_and_does_what_it_says() {
    // The Keystores section reads its keystores back with the JDK's keytool and OpenSSL.
    require(&tools::KEYTOOL);
    require(&tools::OPENSSL);
    let dir = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink(root().join("fixtures"), dir.path().join("fixtures"))
        .expect("symlink");
    let mut checked = 0;
    for section in sections().into_iter().filter(|s| !s.blocks.is_empty()) {
        let outputs: Vec<String> =
            section.blocks.iter().map(|b| run_block(&section.title, b, dir.path())).collect();
        check_outputs(&section.title, dir.path(), &outputs);
        checked += 1;
    }
    assert!(checked >= 13, "only {checked} sections ran");
}

/// What each block of each recipe must have printed and written, beyond exiting 0. A recipe
/// without an entry here fails: a new recipe comes with its checks.
fn check_outputs(title: &str, dir: &Path, outputs: &[String]) {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("recipe {title:?} did not write {name}: {e}"))
    };
    let stdout = &outputs.concat();
    let has =
        |needle: &str| assert!(stdout.contains(needle), "{title}: no {needle:?} in\n{stdout}");
    match title {
        "The two commands" => {
            // The pipeline: issued, read from standard input (`-`), every binding checked.
            has("-: valid\n");
            has("  signed:          assertion\n");
            has("  name_id:         alice@example.com (");
            has("  audiences:       https://sp.example.com\n");
            has("  recipient:       https://sp.example.com/acs\n");
        }
        "Signing and verifying" => {
            // issue --target both --alg rsa-sha512 --digest sha512, verified.
            let response = read("response.xml");
            assert_eq!(response.matches("<ds:SignatureValue>").count(), 2, "{response}");
            assert!(response.contains("xmldsig-more#rsa-sha512"), "{response}");
            has("response.xml: valid\n  signed:          response, assertion\n");
            has("  attribute:       groups = admins\n  attribute:       groups = staff\n");
            // --format base64 and html.
            assert!(read("response.b64").trim().starts_with("PD94bWwg"), "base64 of <?xml");
            assert!(read("login.html").contains("action=\"https://sp.example.com/acs\""));
            // sign: an unsigned response signed twice over, and a directory of outputs.
            assert!(!read("unsigned.xml").contains("<ds:Signature"));
            assert_eq!(read("signed.xml").matches("<ds:SignatureValue>").count(), 2);
            assert!(read("signed/unsigned.xml").contains("<ds:SignatureValue>"));
            assert!(read("signed/authn-request.xml").contains("<ds:SignatureValue>"));
            // verify with two trusted certificates, one JSON line per file.
            let json: Vec<serde_json::Value> = stdout
                .lines()
                .filter(|l| l.starts_with('{'))
                .map(|l| serde_json::from_str(l).expect("JSON line"))
                .collect();
            assert_eq!(json.len(), 2, "{stdout}");
            assert_eq!(
                (&json[0]["file"], &json[0]["valid"]),
                (&"response.b64".into(), &true.into())
            );
            assert_eq!((&json[1]["file"], &json[1]["valid"]), (&"signed.xml".into(), &true.into()));
            assert_eq!(json[1]["signed"], serde_json::json!(["response", "assertion"]));
            // --explain: every step, then the result.
            has("response.xml:\n  1. decode: raw XML");
            has("conditions: audience \"https://sp.example.com\" allowed\n");
            has("  17. result: valid\n");
        }
        "Certificates" => {
            has("wrote ./idp.key (private key, PKCS#8 PEM, mode 0600)");
            assert_eq!(mode(&dir.join("idp.key")), 0o600);
            has("days left    730 (ok)");
            has("key matches  yes (fixtures/keys/idp.key)\n");
            let der = stdout.lines().find(|l| l.contains("\"file\":\"fixtures/certs/idp.der\""));
            let der: serde_json::Value = serde_json::from_str(der.expect("JSON")).unwrap();
            assert_eq!(der["common_name"], "idp.example.com");
            has("wrote idp.csr (certificate signing request, PEM)");
            assert!(read("idp.csr").starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));
            // cert check: exit 1 (one expired), every certificate listed.
            has(
                "expired             -151  2026-01-01T00:00:00Z  -         fixtures/certs/expired.crt",
            );
            has(
                "renew                 20  2026-06-21T00:00:00Z  30-day    fixtures/certs/expires-2026-06-21.crt",
            );
            // The inventory: the table, then one sentence per entry that needs action.
            has("expired       -151  2026-01-01  legacy-partner-portal");
            has("legacy-partner-portal: expired on 2026-01-01 (151 days ago)\n");
            let inventory: serde_json::Value =
                serde_json::from_str(&read("inventory.json")).expect("JSON");
            assert_eq!(inventory["entries"].as_array().map(Vec::len), Some(5), "{inventory}");
        }
        "Keystores" => {
            has("wrote idp.jks (JKS, mode 0600): alias 'idp_signing', RSA 2048 key");
            has("Alias name: idp_signing\n"); // keytool read it
            has("-> idp-from-jks.key (mode 0600)");
            assert_eq!(mode(&dir.join("idp-from-jks.key")), 0o600);
            assert_eq!(read("idp-from-jks.crt"), read("fixtures/certs/idp.crt"));
            has("wrote idp.p12 (PKCS#12, mode 0600)");
            has("subject=CN = idp.example.com, O = Example IdP\n"); // OpenSSL read it
        }
        "JWT bearer tokens" => {
            has("valid: RS256 signature by CN=idp.example.com, O=Example IdP (SHA-256 ");
            has("iss: 3MVG9-consumer-key\n");
            has("sub: alice@example.com\n");
            has(", in 3m 0s)\n");
            let json: serde_json::Value =
                serde_json::from_str(stdout.lines().last().expect("JSON")).expect("JSON");
            assert_eq!(json["valid"], true, "{json}");
            assert!(json["claims"]["jti"].is_string(), "--jti adds a token ID: {json}");
        }
        "HTTP-Redirect binding" => {
            // Signed with the SP's own key, verified with the SP's certificate.
            has("wrote ./sp.key (private key, PKCS#8 PEM, mode 0600)");
            has("valid: SAMLRequest signed with rsa-sha256 by CN=sp.example.com (SHA-256 ");
            has("RelayState: /home\n");
            has("<samlp:AuthnRequest ");
        }
        "Canonicalization" => {
            has(
                "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" Destination=",
            );
            // --id _a1 --alg inclusive brings the namespaces in scope (samlp) along.
            has(
                "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" xmlns:samlp=",
            );
            has("c14n: 374 passed, 0 failed");
        }
        "Rotate a signing certificate" => {
            // 1. The next key pair: a private key file, announced and never printed.
            has("wrote ./idp-next.key (private key, PKCS#8 PEM, mode 0600)");
            has("subject      O=Example Corp, CN=idp.example.com");
            has("days left    730 (ok)");
            assert!(!stdout.contains("PRIVATE KEY-----"), "{stdout}");
            assert_eq!(mode(&dir.join("idp-next.key")), 0o600);
            assert!(read("idp-next.key").starts_with("-----BEGIN PRIVATE KEY-----\n"));
            assert!(read("idp-next.crt").starts_with("-----BEGIN CERTIFICATE-----\n"));
            let next_sha256 = field(stdout, "sha256       ");

            // 2. Signed metadata with both certificates, verified.
            let md = read("idp-metadata.xml");
            assert_eq!(md.matches("<md:KeyDescriptor use=\"signing\">").count(), 2, "{md}");
            assert!(md.contains("<ds:SignatureValue>"), "{md}");
            has("idp-metadata.xml: valid metadata");
            has("  entity_id:       https://idp.example.com\n");
            has("  slo:             https://idp.example.com/slo");
            let signing: Vec<&str> =
                stdout.lines().filter(|l| l.starts_with("  signing_cert:")).collect();
            assert_eq!(signing.len(), 2, "{stdout}");
            assert!(signing[0].contains("CN=idp.example.com, O=Example IdP"), "{stdout}");
            assert!(signing[1].contains("O=Example Corp, CN=idp.example.com"), "{stdout}");

            // 3. The inventory lists both, the next one first (it expires first).
            let rows: Vec<&str> = stdout.lines().filter(|l| l.starts_with("ok ")).collect();
            assert_eq!(rows.len(), 2, "{stdout}");
            // Made with --days 730 a moment ago: 730 days left, or 729 once a second has passed.
            assert!(
                (rows[0].contains(" 730 ") || rows[0].contains(" 729 "))
                    && rows[0].contains("idp-signing-next"),
                "{stdout}"
            );
            assert!(rows[1].contains("2036-01-01  idp-signing-current"), "{stdout}");

            // 4. Signed with the next key, accepted by an SP trusting both.
            has("after-switch.xml: valid\n");
            has("  name_id:         alice@example.com (");
            has("  audiences:       https://sp.example.com\n");
            let verified = stdout.split("after-switch.xml: valid").nth(1).expect("verify output");
            assert_eq!(field(verified, "  certificate:     SHA-256 "), next_sha256, "{stdout}");
        }
        "Log into a Salesforce org with an HTML POST form" => {
            let metadata = read("salesforce-idp-metadata.xml");
            assert!(metadata.contains("entityID=\"https://idp.example.com\""), "{metadata}");
            assert!(metadata.contains("IDPSSODescriptor"), "{metadata}");
            let html = read("login.html");
            for needle in [
                "<form method=\"post\" action=\"https://acme.my.salesforce.com?so=00D5g000000AbCd\">",
                "<body onload=\"document.forms[0].submit()\">",
                "name=\"SAMLResponse\" value=\"",
            ] {
                assert!(html.contains(needle), "no {needle:?} in {html}");
            }
            assert!(read("posted.b64").len() > 1000, "the SAMLResponse value was extracted");
            has("posted.b64: valid\n");
            has("  issuer:          https://idp.example.com\n");
            has("  name_id:         alice@acme.com (");
            has("  audiences:       https://acme.my.salesforce.com\n");
            has("  recipient:       https://acme.my.salesforce.com?so=00D5g000000AbCd\n");
        }
        "Get an OAuth token with the JWT bearer flow" => {
            has("wrote ./app.key (private key, PKCS#8 PEM, mode 0600)");
            assert_eq!(mode(&dir.join("app.key")), 0o600);
            assert!(read("app.crt").starts_with("-----BEGIN CERTIFICATE-----\n"));
            let app_sha256 = field(stdout, "sha256       ");
            has(&format!("valid: RS256 signature by CN=my-integration (SHA-256 {app_sha256})"));
            has("iss: 3MVG9example.consumer.key\n");
            has("sub: integration@acme.com\n");
            has("aud: https://login.salesforce.com\n");
            has(", in 3m 0s)\n");
        }
        "Decode a message without pasting it into a website" => {
            // The form body, pretty-printed: the Response and its signed Assertion, indented.
            let response = read("decoded-response.xml");
            assert!(response.starts_with("<samlp:Response "), "{response}");
            assert!(response.contains("\n  <saml:Issuer>https://idp.example.com</saml:Issuer>\n"));
            assert!(response.contains("<ds:SignatureValue>"), "{response}");
            // The redirect URL: its layers, RelayState and SigAlg, and never "verified".
            let json: serde_json::Value =
                serde_json::from_str(&read("decoded-url.json")).expect("decode --json");
            assert_eq!(json["kind"], "SAMLRequest", "{json}");
            assert_eq!(json["layers"], serde_json::json!(["url", "base64", "deflate", "xml"]));
            assert_eq!(json["relay_state"], "/inbox", "{json}");
            assert_eq!(json["verified"], false, "{json}");
            assert_eq!(json["root"], "samlp:AuthnRequest", "{json}");
        }
        "Verify a SAMLResponse captured from a browser" => {
            // --explain: every step, then the result.
            has("fixtures/captured/form-body.txt:\n");
            has("  1. decode: URL-encoded form body");
            has("  12. conditions: audience \"https://sp.example.com\" allowed\n");
            has("  13. result: valid\n");
            has("fixtures/captured/form-body.txt: valid\n");
            has("  name_id:         alice@example.com (");
            has("  attribute:       groups = staff\n");
            // --json from standard input: one line.
            let json: serde_json::Value =
                serde_json::from_str(stdout.lines().last().expect("a JSON line")).expect("JSON");
            assert_eq!(json["file"], "-", "{json}");
            assert_eq!(json["valid"], true, "{json}");
            assert_eq!(json["name_id"], "alice@example.com", "{json}");
            assert_eq!(json["issuer"], "https://idp.example.com", "{json}");
        }
        "Test a service provider with broken responses" => {
            // The list, then the count of refusals.
            let lines: Vec<&str> = stdout.lines().collect();
            let listed: Vec<&str> =
                lines[..lines.len() - 1].iter().filter_map(|l| l.split(' ').next()).collect();
            let all: Vec<(&str, &str)> =
                BREAK_KINDS.iter().chain(ENCRYPTED_BREAK_KINDS).copied().collect();
            let kinds: Vec<&str> = all.iter().map(|(kind, _)| *kind).collect();
            assert_eq!(listed, kinds, "{stdout}");
            assert_eq!(lines.last(), Some(&kinds.len().to_string().as_str()), "{stdout}");
            // Every broken response was written and refused with its own code.
            let verdicts = read("verdicts.jsonl");
            assert_eq!(verdicts.lines().count(), kinds.len(), "{verdicts}");
            for line in verdicts.lines() {
                let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
                let file = v["file"].as_str().expect("file");
                let kind = file.strip_prefix("broken-").and_then(|f| f.strip_suffix(".xml"));
                let (_, code) = all
                    .iter()
                    .find(|(k, _)| Some(*k) == kind)
                    .unwrap_or_else(|| panic!("unexpected file {file}"));
                assert_eq!(v["valid"], false, "{line}");
                assert_eq!(v["error_code"], *code, "{line}");
            }
        }
        "Verify an encrypted response from Salesforce/ADFS/Okta" => {
            for shape in ["adfs-cbc-oaep-sha1", "okta-sibling-key", "gcm-rsa-oaep-sha256"] {
                has(&format!("fixtures/xmlenc/generated/{shape}.xml: valid\n"));
            }
            has("  encrypted:       assertion (aes256-cbc, rsa-oaep-mgf1p)\n");
            has("  encrypted:       assertion (aes128-cbc, rsa-oaep-mgf1p)\n");
            has("  encrypted:       assertion (aes256-gcm, rsa-oaep)\n");
            let opened = read("opened.xml");
            assert!(opened.contains(">alice@example.com</saml:NameID>"), "{opened}");
            assert!(!opened.contains("EncryptedData"), "{opened}");
        }
        "Send Salesforce an encrypted assertion" => {
            let posted = read("encrypted.b64");
            assert!(!posted.contains("alice"), "base64 of an encrypted response");
            let json: serde_json::Value =
                serde_json::from_str(stdout.lines().last().expect("a JSON line")).expect("JSON");
            assert_eq!(json["valid"], true, "{json}");
            assert_eq!(json["name_id"], "alice@acme.com", "{json}");
            assert_eq!(json["encrypted"], true, "{json}");
            assert_eq!(json["signed"], serde_json::json!(["response", "assertion"]), "{json}");
            assert_eq!(json["encryption"]["data"], "http://www.w3.org/2009/xmlenc11#aes256-gcm");
        }
        "Mutual TLS for Salesforce callouts and inbound API calls" => {
            has("ok    order        3 certificate(s), leaf first, each signed by the next\n");
            has("ok    anchor       ends at the self-signed root CN=Example mTLS Root CA\n");
            has("ok    client-auth  the leaf has the clientAuth extended key usage\n");
            has("ok    key          the private key matches the leaf\n");
            has("FAIL  self-signed  the leaf is self-signed");
            // cert show: the chain file, certificate by certificate.
            has("chain        signed by the next, #2 (CN=Example mTLS CA)\n");
            has("chain        signed by the next, #3 (CN=Example mTLS Root CA)\n");
            has("chain        root (self-signed)\n");
            has("alt names    DNS:api-client.example.com\n");
            let chain = read("api-client-chain.pem");
            assert_eq!(chain.matches("-----BEGIN CERTIFICATE-----").count(), 3, "{chain}");
            assert!(chain.starts_with(&read("api-client-issued.crt")), "leaf first");
            assert_eq!(mode(&dir.join("mtls-ca.key")), 0o600);
            assert_eq!(mode(&dir.join("mtls-root.key")), 0o600);
            assert!(dir.join("api-client.p12").is_file());
        }
        "Which integrations break when this certificate expires?" => {
            // The table: soonest expiry first, the integrations of each, the problems.
            has("pending          -  -           New_CA_Cert");
            has("renew           20  2026-06-21  SSO_Signing");
            has(
                "  IdentityProviderSettings IdentityProvider (certificateName): Salesforce signs SAML responses as IdP (by master label)\n",
            );
            has(
                "  dangling-reference: ExtlClntAppSamlConfigurablePolicies Partner_Portal (encryptionCertificate): Retired_Cert\n",
            );
            // The page, the calendar, the metrics, the JSON.
            assert!(
                read("CERTIFICATES.md").starts_with("# Which integrations use which certificate\n")
            );
            assert_eq!(read("certificate-renewals.ics").matches("BEGIN:VEVENT").count(), 6);
            assert!(
                read("samlkit_certificates.prom")
                    .contains("samlkit_certificate_not_after_seconds{")
            );
            let scan: serde_json::Value = serde_json::from_str(&read("scan.json")).expect("JSON");
            assert_eq!(scan["certificates"][3]["name"], "SSO_Signing");
            assert_eq!(scan["certificates"][3]["used_by"].as_array().map(Vec::len), Some(2));
            // The inventory written from the scan, read back by `samlkit inventory`.
            assert!(read("org-inventory.toml").contains("metadata_integrations = ["));
            assert!(dir.join("certs").is_dir());
            let inventory = stdout.split("\nSTATUS ").nth(1).expect("the inventory table");
            assert!(inventory.contains("OWNER"), "{stdout}");
            assert!(inventory.lines().any(|l| l.starts_with("renew") && l.contains("SSO_Signing")));
        }
        "Audit your SP before go-live" => {
            // The attack's reference, then the dry run's list and the saved wrapping response.
            has("xsw3 ");
            has("see: SAML Raider: XSW3");
            has("xsw3               POST http://127.0.0.1:8000/acs (");
            has("replay             POST http://127.0.0.1:8000/acs (");
            assert!(stdout.ends_with("1\n"), "{stdout}");
            assert!(
                read("audit/comment-in-nameid.xml")
                    .contains("alice@example.com<!---->.evil.example")
            );
            assert!(!dir.join("audit/expired.html").exists(), "a dry run sends nothing");
        }
        "Check a test IdP configuration" => {
            // The configuration file's SP with its shape, then the demo's users.
            has("entity ID  https://idp.example.com\n");
            has(
                "SP         https://sp.example.com -> https://sp.example.com/acs (shape okta, sign both, requests may be unsigned)\n",
            );
            has("user       bob (bob@example.com)\n");
        }
        _ => panic!("README section {title:?} has no output checks in tests/readme_recipes.rs"),
    }
}

/// The rest of the first line of `text` that starts with `prefix`.
fn field<'t>(text: &'t str, prefix: &str) -> &'t str {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in\n{text}"))
}
