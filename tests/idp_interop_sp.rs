//! `samlkit idp serve` against a real service provider: OneLogin's python3-saml on Flask
//! (`tests/interop/onelogin_flask_sp.py`, signed AuthnRequests and LogoutRequests, signed
//! assertions required, strict mode), driven over HTTP: SP-initiated login through the login
//! page, SSO from the IdP session, a `--break` kind picked on the page that the SP must refuse,
//! and single logout started at the SP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::Command;

use support::browser::{Browser, Process, origin};
use support::html::attr;
use support::tools;

/// The fields and action of the IdP's POST form.
fn form(body: &str) -> (String, Vec<(String, String)>) {
    let action = attr(body, "<form", "action").unwrap_or_else(|| panic!("no form: {body}"));
    let mut fields = Vec::new();
    for name in ["SAMLResponse", "RelayState"] {
        if let Some(v) = attr(body, &format!("name=\"{name}\""), "value") {
            fields.push((name.to_string(), v));
        }
    }
    (action, fields)
}

/// Starts `samlkit idp serve` in `dir` with the fixture IdP key pair and `config` as idp.toml.
fn start_idp(dir: &Path, config: &str) -> Process {
    std::fs::copy(support::fixture("keys/idp.key"), dir.join("idp.key")).unwrap();
    std::fs::copy(support::fixture("certs/idp.crt"), dir.join("idp.crt")).unwrap();
    std::fs::write(dir.join("idp.toml"), config).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_samlkit"));
    command.args(["idp", "serve", "--listen", "127.0.0.1:0", "--config"]).arg(dir.join("idp.toml"));
    Process::start(command)
}

#[test]
#[cfg_attr(
    missing_python3_flask_saml,
    ignore = "needs python3-flask and python3-onelogin-saml2 (scripts/install-test-deps.sh)"
)]
fn onelogin_flask_sp_logs_in_through_the_page_refuses_a_break_and_logs_out() {
    support::require(&tools::PYTHON3_FLASK_SAML);
    let dir = tempfile::tempdir().unwrap();
    let idp_settings = dir.path().join("idp.json");
    // The IdP registers the SP from the SP's own metadata (signing certificate included).
    let (sp, _) = start_sp(dir.path(), "onelogin_flask_sp.py", "sp", &idp_settings, &[]);
    let mut browser = Browser::new();
    let idp = start_idp(
        dir.path(),
        "entity_id = \"https://idp.example.com\"\nkey = \"idp.key\"\ncert = \"idp.crt\"\n\n[[user]]\nid = \"alice\"\nname_id = \"alice@example.com\"\n[user.attributes]\nemail = [\"alice@example.com\"]\ngroups = [\"admins\", \"staff\"]\n\n[[sp]]\nmetadata = \"sp.xml\"\nwant_authn_requests_signed = true\n",
    );
    point_sp_at(&idp_settings, &idp.base);

    // SP-initiated login (HTTP-Redirect, signed by python3-saml): the IdP shows its login page.
    let (at, page) = browser.follow(&format!("{}/login", sp.base));
    assert!(at.starts_with(&format!("{}/sso?SAMLRequest=", idp.base)), "{at}");
    assert!(at.contains("&Signature="), "python3-saml signs the request: {at}");
    assert_eq!(page.status, 200, "{}", page.body);
    let token = attr(&page.body, "name=\"token\"", "value")
        .unwrap_or_else(|| panic!("login page: {}", page.body));
    let posted = browser.post(
        &format!("{}/login", idp.base),
        &[("token".into(), token), ("user".into(), "alice".into())],
    );
    let (action, fields) = form(&posted.body);
    assert_eq!(action, format!("{}/acs", sp.base));
    let acs = browser.post(&action, &fields);
    assert_eq!(acs.status, 302, "the SP accepts the response: {}", acs.body);
    let home = browser.get(&format!("{}/", sp.base));
    assert!(
        home.body.contains("logged in as <b id=\"name-id\">alice@example.com</b>"),
        "{}",
        home.body
    );
    assert!(home.body.contains("groups: admins, staff"), "{}", home.body);

    // SSO: a new SP session (its cookie dropped) gets in from the IdP session, without the page.
    let sp_origin = origin(&sp.base);
    browser.cookies.retain(|(o, _)| *o != sp_origin);
    let (_, page) = browser.follow(&format!("{}/login", sp.base));
    let (action, fields) = form(&page.body);
    assert_eq!(browser.post(&action, &fields).status, 302);
    assert!(browser.get(&format!("{}/", sp.base)).body.contains("alice@example.com"));

    // Single logout from the SP: signed LogoutRequest, the IdP session ends, the SP gets a
    // signed LogoutResponse that python3-saml accepts.
    let (at, page) = browser.follow(&format!("{}/logout", sp.base));
    assert!(at.starts_with(&format!("{}/slo?SAMLRequest=", idp.base)), "{at}");
    let next =
        attr(&page.body, "id=\"continue\"", "href").unwrap_or_else(|| panic!("{}", page.body));
    let (_, done) = browser.follow(&next);
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(browser.get(&format!("{}/", sp.base)).body.contains("not logged in"));
    let (_, page) = browser.follow(&format!("{}/login", sp.base));
    let token = attr(&page.body, "name=\"token\"", "value")
        .expect("the IdP session is gone: the login page again");

    // A break picked on the login page: the SP must refuse the response.
    for kind in ["xsw3", "wrong-key", "expired"] {
        let token = if kind == "xsw3" {
            token.clone()
        } else {
            // The broken login made an IdP session; drop it to get the page again.
            let idp_origin = origin(&idp.base);
            browser.cookies.retain(|(o, _)| *o != idp_origin);
            let (_, page) = browser.follow(&format!("{}/login", sp.base));
            attr(&page.body, "name=\"token\"", "value").unwrap()
        };
        let posted = browser.post(
            &format!("{}/login", idp.base),
            &[
                ("token".into(), token),
                ("user".into(), "alice".into()),
                ("break".into(), kind.into()),
            ],
        );
        let (action, fields) = form(&posted.body);
        let refused = browser.post(&action, &fields);
        assert_eq!(refused.status, 403, "{kind}: {}", refused.body);
        assert!(refused.body.contains("refused:"), "{kind}: {}", refused.body);
    }
}

/// Writes the IdP settings file `start_sp` handed the test SP (it reads it when it needs it): this
/// IdP's entity ID, its SSO and SLO URLs at `idp_base`, and the fixture signing certificate.
fn point_sp_at(idp_settings: &Path, idp_base: &str) {
    let settings = serde_json::json!({
        "entity_id": "https://idp.example.com",
        "sso_url": format!("{idp_base}/sso"),
        "slo_url": format!("{idp_base}/slo"),
        "cert_pem": std::fs::read_to_string(support::fixture("certs/idp.crt")).unwrap(),
    });
    std::fs::write(idp_settings, settings.to_string()).unwrap();
}

/// `tests/interop/SCRIPT` (the python3-saml or pysaml2 SP, with the attacker fixture key pair
/// as its own) on a free port, reading the IdP's settings or metadata from `idp_settings` once
/// the test writes it, plus `extra` arguments; its metadata is saved as `DIR/NAME.xml` and
/// returned.
fn start_sp(
    dir: &Path,
    script: &str,
    name: &str,
    idp_settings: &Path,
    extra: &[&str],
) -> (Process, String) {
    let mut command = support::python_script(script);
    command
        .arg(support::fixture("keys/attacker.key"))
        .arg(support::fixture("certs/attacker.crt"))
        .arg(idp_settings)
        .args(extra);
    let sp = Process::start(command);
    let metadata = Browser::new().get(&format!("{}/metadata", sp.base));
    assert_eq!(metadata.status, 200, "{}", metadata.body);
    std::fs::write(dir.join(format!("{name}.xml")), &metadata.body).unwrap();
    (sp, metadata.body)
}

#[test]
#[cfg_attr(
    missing_python3_flask_saml,
    ignore = "needs python3-flask and python3-onelogin-saml2 (scripts/install-test-deps.sh)"
)]
#[cfg_attr(
    missing_chromium_selenium,
    ignore = "needs chromium, chromium-driver and python3-selenium (scripts/install-test-deps.sh)"
)]
fn headless_chromium_logs_in_with_sso_on_a_second_sp_logs_out_of_both_and_sees_a_break_refused() {
    support::require(&tools::PYTHON3_FLASK_SAML);
    support::require(&tools::CHROMIUM_SELENIUM);
    let dir = tempfile::tempdir().unwrap();
    let idp_settings = dir.path().join("idp.json");
    let sp1 = start_sp(dir.path(), "onelogin_flask_sp.py", "sp1", &idp_settings, &[]).0;
    let sp2 = start_sp(dir.path(), "onelogin_flask_sp.py", "sp2", &idp_settings, &[]).0;
    let idp = start_idp(
        dir.path(),
        "entity_id = \"https://idp.example.com\"\nkey = \"idp.key\"\ncert = \"idp.crt\"\n\n[[user]]\nid = \"alice\"\nname_id = \"alice@example.com\"\n[user.attributes]\nemail = [\"alice@example.com\"]\ngroups = [\"admins\", \"staff\"]\n\n[[sp]]\nmetadata = \"sp1.xml\"\n\n[[sp]]\nmetadata = \"sp2.xml\"\n",
    );
    point_sp_at(&idp_settings, &idp.base);

    // Screenshots stay after the test, next to its other build outputs.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("idp-browser");
    std::fs::create_dir_all(&shots).unwrap();
    let out = support::run_ok(
        support::python_script("idp_browser.py")
            .arg(&idp.base)
            .arg(&sp1.base)
            .arg(&sp2.base)
            .arg(format!("{}/metadata", sp1.base))
            .arg(&shots),
    );
    let steps: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let step = |name: &str| -> String {
        let s = steps
            .iter()
            .find(|s| s["step"] == name)
            .unwrap_or_else(|| panic!("no step {name}: {steps:?}"));
        s["text"].as_str().unwrap().to_string()
    };
    assert!(step("login_page").contains("asks for a login"), "{}", step("login_page"));
    assert!(
        step("sp1_logged_in").contains("logged in as alice@example.com"),
        "{}",
        step("sp1_logged_in")
    );
    assert!(step("sp1_logged_in").contains("groups: admins, staff"));
    assert!(step("sp2_sso").contains("logged in as alice@example.com"), "{}", step("sp2_sso"));
    assert!(step("idp_initiated").contains("logged in as alice@example.com"));
    assert!(step("idp_logged_out").contains("You are logged out of the IdP."));
    assert!(step("sp1_after_logout").contains("not logged in"), "{}", step("sp1_after_logout"));
    assert!(
        step("sp2_after_logout").contains("not logged in"),
        "SP2 was logged out by the IdP's frame: {}",
        step("sp2_after_logout")
    );
    assert!(step("break_refused").contains("refused:"), "{}", step("break_refused"));
    for shot in ["idp-login-page.png", "sp-after-login.png", "sp-refuses-xsw3.png"] {
        let bytes = std::fs::read(shots.join(shot)).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{shot}");
    }
}

#[test]
#[cfg_attr(
    missing_python3_pysaml2,
    ignore = "needs python3-pysaml2, python3-flask and xmlsec1 (scripts/install-test-deps.sh)"
)]
fn pysaml2_sp_logs_in_with_auto_login_and_refuses_a_replayed_response() {
    support::require(&tools::PYTHON3_PYSAML2);
    let dir = tempfile::tempdir().unwrap();
    let idp_metadata = dir.path().join("idp-metadata.xml");
    let (sp, _) = start_sp(dir.path(), "pysaml2_sp.py", "sp", &idp_metadata, &[]);
    let mut browser = Browser::new();
    let idp = start_idp(
        dir.path(),
        "entity_id = \"https://idp.example.com\"\nkey = \"idp.key\"\ncert = \"idp.crt\"\nauto_login = \"alice\"\n\n[[user]]\nid = \"alice\"\nname_id = \"alice@example.com\"\n[user.attributes]\nemail = [\"alice@example.com\"]\n\n[[sp]]\nmetadata = \"sp.xml\"\nshape = \"adfs\"\n",
    );
    let published = browser.get(&format!("{}/metadata", idp.base));
    std::fs::write(&idp_metadata, &published.body).unwrap();

    // auto_login: the AuthnRequest is answered with the auto-POST form at once.
    let (at, page) = browser.follow(&format!("{}/login", sp.base));
    assert!(at.starts_with(&format!("{}/sso?SAMLRequest=", idp.base)), "{at}");
    let (action, fields) = form(&page.body);
    assert_eq!(action, format!("{}/acs", sp.base));
    let accepted = browser.post(&action, &fields);
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert!(accepted.body.contains("logged in as <b>alice@example.com</b>"), "{}", accepted.body);
    assert!(
        accepted.body.contains("alice@example.com"),
        "the ADFS-shaped email claim: {}",
        accepted.body
    );

    // The same response again: pysaml2 no longer has the request outstanding.
    let replayed = browser.post(&action, &fields);
    assert_eq!(replayed.status, 403, "{}", replayed.body);
}

/// The XML of the SAMLResponse field of an auto-POST form.
fn posted_xml(fields: &[(String, String)]) -> String {
    use base64::Engine as _;
    let value = &fields.iter().find(|(k, _)| k == "SAMLResponse").expect("a SAMLResponse").1;
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(value).unwrap()).unwrap()
}

/// What the IdP sent, checked by samlkit itself: `verify --decrypt-key` with the SP's key
/// accepts it as an encrypted assertion for `audience`, and `samlkit decrypt` opens it.
fn samlkit_opens(dir: &Path, xml: &str, audience: &str) {
    let path = dir.join("sent.xml");
    std::fs::write(&path, xml).unwrap();
    let (path, key) = (path.to_str().unwrap(), support::fixture("keys/attacker.key"));
    let cert = support::fixture("certs/idp.crt");
    let out = support::run(&[
        "verify",
        "--json",
        "--cert",
        &cert,
        "--decrypt-key",
        &key,
        "--audience",
        audience,
        "--issuer",
        "https://idp.example.com",
        path,
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{json}");
    assert_eq!(json["encrypted"], true, "{json}");
    assert_eq!(json["name_id"], "alice@example.com", "{json}");
    let out = support::run(&["decrypt", "--key", &key, path]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(">alice@example.com<"));
}

#[test]
#[cfg_attr(
    missing_python3_flask_saml,
    ignore = "needs python3-flask and python3-onelogin-saml2 (scripts/install-test-deps.sh)"
)]
fn onelogin_flask_sp_that_requires_encryption_accepts_an_encrypted_login_and_refuses_encrypted_breaks()
 {
    support::require(&tools::PYTHON3_FLASK_SAML);
    let dir = tempfile::tempdir().unwrap();
    let idp_settings = dir.path().join("idp.json");
    let (sp, metadata) =
        start_sp(dir.path(), "onelogin_flask_sp.py", "sp", &idp_settings, &["encrypted"]);
    let mut browser = Browser::new();
    assert!(metadata.contains("use=\"encryption\""), "{metadata}");
    // The encryption certificate comes from the SP's metadata; the Entra ID shape puts an
    // unprefixed, default-namespace Assertion inside the encryption.
    let idp = start_idp(
        dir.path(),
        "entity_id = \"https://idp.example.com\"\nkey = \"idp.key\"\ncert = \"idp.crt\"\n\n[[user]]\nid = \"alice\"\nname_id = \"alice@example.com\"\n[user.attributes]\nemail = [\"alice@example.com\"]\n\n[[sp]]\nmetadata = \"sp.xml\"\nwant_authn_requests_signed = true\nencrypt = true\nshape = \"entra\"\n",
    );
    point_sp_at(&idp_settings, &idp.base);

    let login_page = |browser: &mut Browser| {
        let idp_origin = origin(&idp.base);
        browser.cookies.retain(|(o, _)| *o != idp_origin);
        let (_, page) = browser.follow(&format!("{}/login", sp.base));
        attr(&page.body, "name=\"token\"", "value")
            .unwrap_or_else(|| panic!("login page: {}", page.body))
    };
    let token = login_page(&mut browser);
    let posted = browser.post(
        &format!("{}/login", idp.base),
        &[("token".into(), token), ("user".into(), "alice".into())],
    );
    let (action, fields) = form(&posted.body);
    let xml = posted_xml(&fields);
    assert!(
        xml.contains("<EncryptedAssertion xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\">"),
        "{xml}"
    );
    assert!(!xml.contains("alice@example.com"), "plaintext in the response: {xml}");
    let acs = browser.post(&action, &fields);
    assert_eq!(acs.status, 302, "python3-saml accepts the encrypted response: {}", acs.body);
    let home = browser.get(&format!("{}/", sp.base));
    assert!(home.body.contains("<b id=\"name-id\">alice@example.com</b>"), "{}", home.body);
    samlkit_opens(dir.path(), &xml, &format!("{}/metadata", sp.base));

    // The encrypting break kinds, picked on the page, get the SP's certificate and are refused.
    for kind in ["unsigned-encrypted", "rsa15-key-transport"] {
        let token = login_page(&mut browser);
        let posted = browser.post(
            &format!("{}/login", idp.base),
            &[
                ("token".into(), token),
                ("user".into(), "alice".into()),
                ("break".into(), kind.into()),
            ],
        );
        let (action, fields) = form(&posted.body);
        assert!(posted_xml(&fields).contains("EncryptedAssertion"), "{kind}: {}", posted.body);
        let refused = browser.post(&action, &fields);
        assert_eq!(refused.status, 403, "{kind}: {}", refused.body);
        assert!(refused.body.contains("refused:"), "{kind}: {}", refused.body);
    }

    // The SP really requires encryption: the same login from an IdP with `encrypt = false` is
    // refused.
    let plain_dir = tempfile::tempdir().unwrap();
    std::fs::write(plain_dir.path().join("sp.xml"), &metadata).unwrap();
    let plain_idp = start_idp(
        plain_dir.path(),
        "entity_id = \"https://idp.example.com\"\nkey = \"idp.key\"\ncert = \"idp.crt\"\nauto_login = \"alice\"\n\n[[user]]\nid = \"alice\"\nname_id = \"alice@example.com\"\n\n[[sp]]\nmetadata = \"sp.xml\"\nshape = \"entra\"\n",
    );
    point_sp_at(&idp_settings, &plain_idp.base);
    let (_, page) = browser.follow(&format!("{}/login", sp.base));
    let (action, fields) = form(&page.body);
    assert!(posted_xml(&fields).contains(">alice@example.com<"), "sent in plaintext");
    let refused = browser.post(&action, &fields);
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("encrypted"), "{}", refused.body);
}

#[test]
#[cfg_attr(
    missing_python3_pysaml2,
    ignore = "needs python3-pysaml2, python3-flask and xmlsec1 (scripts/install-test-deps.sh)"
)]
fn pysaml2_sp_with_an_encryption_key_accepts_an_encrypted_okta_shaped_login() {
    support::require(&tools::PYTHON3_PYSAML2);
    let dir = tempfile::tempdir().unwrap();
    let idp_metadata = dir.path().join("idp-metadata.xml");
    let (sp, metadata) = start_sp(dir.path(), "pysaml2_sp.py", "sp", &idp_metadata, &["encrypted"]);
    let mut browser = Browser::new();
    assert!(metadata.contains("use=\"encryption\""), "{metadata}");
    // AES-128-CBC with an xmlenc11 rsa-oaep SHA-256 key transport, set per SP; the Okta shape
    // signs the Response over the EncryptedAssertion.
    let idp = start_idp(
        dir.path(),
        "entity_id = \"https://idp.example.com\"\nkey = \"idp.key\"\ncert = \"idp.crt\"\nauto_login = \"alice\"\n\n[[user]]\nid = \"alice\"\nname_id = \"alice@example.com\"\n[user.attributes]\nemail = [\"alice@example.com\"]\n\n[[sp]]\nmetadata = \"sp.xml\"\nshape = \"okta\"\nencrypt = true\nenc_alg = \"aes128-cbc\"\n",
    );
    let published = browser.get(&format!("{}/metadata", idp.base));
    std::fs::write(&idp_metadata, &published.body).unwrap();

    let (_, page) = browser.follow(&format!("{}/login", sp.base));
    let (action, fields) = form(&page.body);
    let xml = posted_xml(&fields);
    assert!(xml.contains("<saml2:EncryptedAssertion xmlns:saml2="), "{xml}");
    assert!(xml.contains("http://www.w3.org/2001/04/xmlenc#aes128-cbc"), "{xml}");
    assert!(!xml.contains("alice@example.com"), "plaintext in the response: {xml}");
    let accepted = browser.post(&action, &fields);
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert!(accepted.body.contains("logged in as <b>alice@example.com</b>"), "{}", accepted.body);
    samlkit_opens(dir.path(), &xml, &format!("{}/metadata", sp.base));
}
