//! Runs the README's "Recipes" as written: every ```sh block of each `###` recipe, in order, one
//! bash process per block (`set -euo pipefail`), in a fresh directory per recipe where `fixtures`
//! points at the repository's fixtures and `samlkit` on PATH is the binary under test, then checks
//! what each block printed and wrote (not only that it exited 0). Blocks fenced as ```text (the
//! network call) are not run.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::saml::BREAK_KINDS;
use support::{mode, root};

/// A `### ` recipe and its `sh` blocks, each run as its own bash process, in order, in one
/// directory (so a later block sees the files an earlier one wrote).
struct Recipe {
    title: String,
    blocks: Vec<String>,
}

/// The `### ` recipes of the `## Recipes` section and their `sh` blocks.
fn recipes() -> Vec<Recipe> {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let start = readme.find("\n## Recipes\n").expect("README has a Recipes section");
    let section = &readme[start + 1..];
    let end = section[3..].find("\n## ").map_or(section.len(), |i| i + 3);
    let section = &section[..end];
    let mut out: Vec<Recipe> = Vec::new();
    let mut in_sh = false;
    let mut in_other = false;
    for line in section.lines() {
        if in_sh || in_other {
            if line.trim_start() == "```" {
                in_sh = false;
                in_other = false;
            } else if in_sh {
                let recipe = out.last_mut().expect("a sh block belongs to a ### recipe");
                let block = recipe.blocks.last_mut().expect("opened by ```sh");
                block.push_str(line);
                block.push('\n');
            }
        } else if let Some(title) = line.strip_prefix("### ") {
            out.push(Recipe { title: title.to_string(), blocks: Vec::new() });
        } else if line.trim_start() == "```sh" {
            in_sh = true;
            out.last_mut().expect("a sh block belongs to a ### recipe").blocks.push(String::new());
        } else if line.trim_start().starts_with("```") {
            in_other = true;
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
        "recipe {title:?} failed\n--- block\n{block}--- stdout\n{stdout}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn the_readme_has_the_recipes_the_issue_asks_for() {
    let titles: Vec<String> = recipes().into_iter().map(|r| r.title).collect();
    for wanted in [
        "Rotate a signing certificate",
        "Log into a Salesforce org with an HTML POST form",
        "Get an OAuth token with the JWT bearer flow",
        "Verify a SAMLResponse captured from a browser",
    ] {
        assert!(titles.iter().any(|t| t == wanted), "missing recipe {wanted:?} in {titles:?}");
    }
    for r in recipes() {
        assert!(
            r.blocks.iter().any(|b| !b.trim().is_empty()),
            "recipe {:?} has no sh block",
            r.title
        );
    }
}

#[test]
fn every_recipe_runs_as_written_and_does_what_it_says() {
    for recipe in recipes() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink(root().join("fixtures"), dir.path().join("fixtures"))
            .expect("symlink");
        let outputs: Vec<String> =
            recipe.blocks.iter().map(|b| run_block(&recipe.title, b, dir.path())).collect();
        check_outputs(&recipe.title, dir.path(), &outputs);
    }
}

/// What each block of each recipe must have printed and written, beyond exiting 0. A recipe
/// without an entry here fails: a new recipe comes with its checks.
fn check_outputs(title: &str, dir: &Path, outputs: &[String]) {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("recipe {title:?} did not write {name}: {e}"))
    };
    let [stdout] = outputs else {
        panic!("recipe {title:?}: expected one sh block, found {}", outputs.len())
    };
    let has =
        |needle: &str| assert!(stdout.contains(needle), "{title}: no {needle:?} in\n{stdout}");
    match title {
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
            has(", in 180 s)\n");
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
            let kinds: Vec<&str> = BREAK_KINDS.iter().map(|(kind, _)| *kind).collect();
            assert_eq!(listed, kinds, "{stdout}");
            assert_eq!(lines.last(), Some(&kinds.len().to_string().as_str()), "{stdout}");
            // Every broken response was written and refused with its own code.
            let verdicts = read("verdicts.jsonl");
            assert_eq!(verdicts.lines().count(), kinds.len(), "{verdicts}");
            for line in verdicts.lines() {
                let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
                let file = v["file"].as_str().expect("file");
                let kind = file.strip_prefix("broken-").and_then(|f| f.strip_suffix(".xml"));
                let (_, code) = BREAK_KINDS
                    .iter()
                    .find(|(k, _)| Some(*k) == kind)
                    .unwrap_or_else(|| panic!("unexpected file {file}"));
                assert_eq!(v["valid"], false, "{line}");
                assert_eq!(v["error_code"], *code, "{line}");
            }
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
            assert!(read("samlkit.toml").contains("metadata_integrations = ["));
            assert!(dir.join("certs").is_dir());
            let inventory = stdout.split("\nSTATUS ").nth(1).expect("the inventory table");
            assert!(inventory.contains("OWNER"), "{stdout}");
            assert!(inventory.lines().any(|l| l.starts_with("renew") && l.contains("SSO_Signing")));
        }
        "Check a test IdP configuration" => {
            // The configuration file's SP with its shape, then the demo's users.
            has("entity ID  https://idp.example.com\n");
            has(
                "SP         https://sp.example.com -> https://sp.example.com/acs (shape okta, sign both, requests may be unsigned)\n",
            );
            has("user       bob (bob@example.com)\n");
        }
        _ => panic!("recipe {title:?} has no output checks in tests/readme_recipes.rs"),
    }
}

/// The rest of the first line of `text` that starts with `prefix`.
fn field<'t>(text: &'t str, prefix: &str) -> &'t str {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in\n{text}"))
}
