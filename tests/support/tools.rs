//! The external tools the interop tests run, and the one probe that says whether each is usable.
//!
//! This file is compiled twice. `build.rs` includes it to probe every tool before the tests are
//! compiled: a tool that is not usable (and `SAMLKIT_REQUIRE_INTEROP` not set) becomes
//! `cfg(missing_<name>)`, and each test that needs it carries
//! `#[cfg_attr(missing_<name>, ignore = "…")]`, so `cargo test` lists it as *ignored, with the
//! reason* rather than counting it as passed. The tests include it through `support::tools`, and
//! `support::require` probes again at run time, so a tool removed since the build, or any missing
//! tool under `SAMLKIT_REQUIRE_INTEROP` (which `scripts/test.sh` and CI set), fails the test with a
//! message that says what to install.
//!
//! `SAMLKIT_TEST_HIDE_TOOLS=xmlsec1,openssl` makes the probe report those tools as missing (by
//! [`Tool::name`]), to check that path without uninstalling anything.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Stdio};

/// An external program a test runs, and the command that succeeds only when it is usable.
pub(crate) struct Tool {
    /// Short name: the cfg is `missing_<name>`, and `SAMLKIT_TEST_HIDE_TOOLS` lists these.
    pub(crate) name: &'static str,
    /// The program run by the probe (Python is Debian's, where the python3-* packages are).
    pub(crate) program: &'static str,
    /// Arguments that make `program` exit 0 only when everything the tests use is there.
    pub(crate) probe_args: &'static [&'static str],
}

/// libxmlsec1's command-line tool, the reference XML-DSig implementation.
pub(crate) const XMLSEC1: Tool =
    Tool { name: "xmlsec1", program: "xmlsec1", probe_args: &["--version"] };

/// OpenSSL's command-line tool.
pub(crate) const OPENSSL: Tool =
    Tool { name: "openssl", program: "openssl", probe_args: &["version"] };

/// The JDK's keytool (JKS and PKCS#12 keystores).
pub(crate) const KEYTOOL: Tool =
    Tool { name: "keytool", program: "keytool", probe_args: &["-help"] };

/// Debian's Python with the standard modules `tests/interop/tty_password.py` needs.
pub(crate) const PYTHON3: Tool = Tool {
    name: "python3",
    program: "/usr/bin/python3",
    probe_args: &["-c", "import json, os, pty, termios"],
};

/// Python with OneLogin's python3-saml and what `tests/interop/onelogin_*.py` import from it.
pub(crate) const PYTHON3_SAML: Tool = Tool {
    name: "python3_saml",
    program: "/usr/bin/python3",
    probe_args: &[
        "-c",
        "import xmlsec, lxml.etree, onelogin.saml2.auth, onelogin.saml2.constants, \
         onelogin.saml2.idp_metadata_parser, onelogin.saml2.response, onelogin.saml2.settings, \
         onelogin.saml2.utils, onelogin.saml2.xml_utils",
    ],
};

/// Python with PyJWT and the `cryptography` backend it needs for RS256
/// (`tests/interop/pyjwt_tokens.py`).
pub(crate) const PYTHON3_JWT: Tool = Tool {
    name: "python3_jwt",
    program: "/usr/bin/python3",
    probe_args: &[
        "-c",
        "import jwt, cryptography.x509, cryptography.hazmat.primitives.serialization; \
         jwt.get_algorithm_by_name('RS256')",
    ],
};

/// Python with icalendar (Debian python3-icalendar): parses `inventory scan --format ics`.
pub(crate) const PYTHON3_ICALENDAR: Tool = Tool {
    name: "python3_icalendar",
    program: "/usr/bin/python3",
    probe_args: &["-c", "import icalendar"],
};

/// Prometheus's promtool (Debian prometheus): checks `inventory scan --format prometheus`.
pub(crate) const PROMTOOL: Tool =
    Tool { name: "promtool", program: "promtool", probe_args: &["--version"] };

/// Node.js with xml-crypto (what node-saml and passport-saml sign with) installed by
/// `scripts/install-test-deps.sh` into `tests/interop/node/node_modules` (paths are relative to
/// the repository root, where both the build script and the tests run).
pub(crate) const NODE_XML_CRYPTO: Tool = Tool {
    name: "node_xml_crypto",
    program: "node",
    probe_args: &[
        "-e",
        "require(require.resolve('xml-crypto', { paths: ['tests/interop/node'] }))",
    ],
};

/// strace: counts the flushes (fsync, fdatasync, syncfs) a batch makes.
pub(crate) const STRACE: Tool = Tool { name: "strace", program: "strace", probe_args: &["-V"] };

/// Debian's pysaml2 (python3-pysaml2): a second SP that decrypts samlkit's encrypted responses
/// (`tests/interop/pysaml2_decrypt.py`).
pub(crate) const PYTHON3_PYSAML2: Tool = Tool {
    name: "python3_pysaml2",
    program: "/usr/bin/python3",
    probe_args: &[
        "-c",
        "import shutil, sys, flask, lxml.etree, saml2.sigver, saml2.samlp, saml2.saml, saml2.client, \
         saml2.config, saml2.metadata; sys.exit(0 if shutil.which('xmlsec1') else 1)",
    ],
};

/// Python's `cryptography` (python3-cryptography): the independent XML Encryption 1.1 decryptor
/// (`tests/interop/xmlenc_decrypt.py`) and the xmlenc11 fixture of `fixtures/xmlenc/generate.sh`.
pub(crate) const PYTHON3_CRYPTOGRAPHY: Tool = Tool {
    name: "python3_cryptography",
    program: "/usr/bin/python3",
    probe_args: &[
        "-c",
        "import cryptography.hazmat.primitives.ciphers.aead, cryptography.hazmat.primitives.asymmetric.padding",
    ],
};
/// curl: a mutual-TLS client (`--cert`/`--key`) against `samlkit mtls serve`.
pub(crate) const CURL: Tool = Tool { name: "curl", program: "curl", probe_args: &["--version"] };

/// Every tool a test under `tests/` may need.
/// Flask and OneLogin's python3-saml for the SP `tests/interop/onelogin_flask_sp.py` that
/// `tests/idp_interop_sp.rs` runs against `samlkit idp serve`.
pub(crate) const PYTHON3_FLASK_SAML: Tool = Tool {
    name: "python3_flask_saml",
    program: "/usr/bin/python3",
    probe_args: &[
        "-c",
        "import flask, werkzeug.serving, onelogin.saml2.auth, onelogin.saml2.settings",
    ],
};

/// Headless Chromium (Debian chromium + chromium-driver) driven by python3-selenium
/// (`tests/interop/idp_browser.py`).
pub(crate) const CHROMIUM_SELENIUM: Tool = Tool {
    name: "chromium_selenium",
    program: "/usr/bin/python3",
    probe_args: &[
        "-c",
        "import os, sys, selenium.webdriver; \
         sys.exit(0 if os.access('/usr/bin/chromium', os.X_OK) and os.access('/usr/bin/chromedriver', os.X_OK) else 1)",
    ],
};

pub(crate) const ALL: &[&Tool] = &[
    &XMLSEC1,
    &OPENSSL,
    &KEYTOOL,
    &PYTHON3,
    &PYTHON3_SAML,
    &PYTHON3_JWT,
    &PYTHON3_ICALENDAR,
    &PROMTOOL,
    &NODE_XML_CRYPTO,
    &STRACE,
    &PYTHON3_PYSAML2,
    &PYTHON3_CRYPTOGRAPHY,
    &PYTHON3_FLASK_SAML,
    &CHROMIUM_SELENIUM,
    &CURL,
];

/// Set by `scripts/test.sh` and CI: a missing tool fails its tests instead of ignoring them.
pub(crate) const REQUIRE_ENV: &str = "SAMLKIT_REQUIRE_INTEROP";

/// A comma-separated list of tool names the probe reports as missing (for testing the probe).
pub(crate) const HIDE_ENV: &str = "SAMLKIT_TEST_HIDE_TOOLS";

/// Whether the tests must have every tool (`SAMLKIT_REQUIRE_INTEROP` set).
pub(crate) fn interop_required() -> bool {
    std::env::var_os(REQUIRE_ENV).is_some()
}

/// `Ok` when `tool` is usable, or why not.
pub(crate) fn probe(tool: &Tool) -> Result<(), String> {
    let hidden = std::env::var(HIDE_ENV).unwrap_or_default();
    if hidden.split(',').any(|name| name.trim() == tool.name) {
        return Err(format!("hidden by {HIDE_ENV}={hidden}"));
    }
    let command = format!("`{} {}`", tool.program, tool.probe_args.join(" "));
    let out = Command::new(tool.program)
        .args(tool.probe_args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{command} cannot run: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or("").trim();
    Err(format!("{command} failed ({}): {last}", out.status))
}
