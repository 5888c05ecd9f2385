//! `usage = "saml" | "jwt" | "mtls-client" | "mtls-server"` in the inventory: `samlkit inventory`
//! also runs the checks that use needs, through the built binary.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{assert_error, assert_success, fixture, run_in, stdout};

const NOW: &str = "2026-06-01T00:00:00Z";

#[test]
fn usage_checks_make_entries_need_action() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_success(&run_in(
        d,
        &[
            "cert",
            "new",
            "--cn",
            "client.example.com",
            "--usage",
            "client",
            "--out",
            "client",
            "--now",
            NOW,
        ],
    ));
    assert_success(&run_in(
        d,
        &[
            "cert",
            "new",
            "--cn",
            "localhost",
            "--usage",
            "server",
            "--san",
            "DNS:localhost",
            "--out",
            "server",
            "--now",
            NOW,
        ],
    ));
    assert_success(&run_in(
        d,
        &[
            "cert",
            "new",
            "--cn",
            "nosan.example.com",
            "--usage",
            "server",
            "--out",
            "nosan",
            "--now",
            NOW,
        ],
    ));
    assert_success(&run_in(
        d,
        &[
            "cert",
            "new",
            "--cn",
            "ec.example.com",
            "--key-type",
            "ec-p256",
            "--out",
            "ec",
            "--now",
            NOW,
        ],
    ));
    let idp = fixture("certs/idp.crt");
    let toml = format!(
        "[[certificate]]\nname = \"good-client\"\ncert = \"client.crt\"\nusage = \"mtls-client\"\n\n\
         [[certificate]]\nname = \"signing-as-client\"\ncert = \"{idp}\"\nusage = \"mtls-client\"\n\n\
         [[certificate]]\nname = \"good-server\"\ncert = \"server.crt\"\nusage = \"mtls-server\"\n\n\
         [[certificate]]\nname = \"server-without-names\"\ncert = \"nosan.crt\"\nusage = \"mtls-server\"\n\n\
         [[certificate]]\nname = \"ec-jwt\"\ncert = \"ec.crt\"\nusage = \"jwt\"\n\n\
         [[certificate]]\nname = \"sso\"\ncert = \"{idp}\"\nusage = \"saml\"\n"
    );
    std::fs::write(d.join("samlkit.toml"), toml).unwrap();
    let out = run_in(d, &["inventory", "--now", NOW]);
    assert_error(&out, 1, "3 of 6 certificates need action: ");
    let text = stdout(&out);
    for expected in [
        "signing-as-client: needs action: an mtls-client certificate without the clientAuth extended key usage\n",
        "server-without-names: needs action: an mtls-server certificate without subjectAltName names",
        "ec-jwt: needs action: an EC P-256 key; Salesforce's JWT bearer flow needs RS256 (an RSA key)\n",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    for fine in ["good-client:", "good-server:", "sso:"] {
        assert!(!text.contains(fine), "{fine} has no note: {text}");
    }
    let json = run_in(d, &["inventory", "--now", NOW, "--json"]);
    let doc: serde_json::Value = serde_json::from_str(stdout(&json).trim()).unwrap();
    let entry = |name: &str| {
        doc["entries"].as_array().unwrap().iter().find(|e| e["name"] == name).unwrap().clone()
    };
    assert_eq!(entry("signing-as-client")["status"], "needs-action");
    assert_eq!(entry("signing-as-client")["usage"], "mtls-client");
    assert_eq!(entry("good-client")["status"], "ok");
    assert_eq!(entry("good-client")["usage_problems"], serde_json::json!([]));
    // --status needs-action selects them.
    let selected = run_in(d, &["inventory", "--now", NOW, "--status", "needs-action"]);
    assert_eq!(selected.status.code(), Some(1));
    assert!(!stdout(&selected).contains("good-client"), "{}", stdout(&selected));
}

#[test]
fn an_unknown_usage_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let toml = "[[certificate]]\nname = \"a\"\ncert = \"a.crt\"\nusage = \"tls\"\n";
    std::fs::write(dir.path().join("samlkit.toml"), toml).unwrap();
    let out = run_in(dir.path(), &["inventory"]);
    assert_error(
        &out,
        2,
        "samlkit.toml:1:1: certificate entry \"a\": usage \"tls\" is not one of saml, jwt, mtls-client, mtls-server",
    );
}
