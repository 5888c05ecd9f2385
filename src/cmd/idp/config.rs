//! The test IdP's configuration: the TOML file (`idp.toml`) and `--demo`, read into an [`Idp`]
//! ready to serve. Every error names the key it is about; relative paths are relative to the
//! configuration file's directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Duration;
use samlkit_cert::Certificate;
use samlkit_dsig::EncryptOptions;
use samlkit_dsig::{DigestMethod, SignatureMethod};
use samlkit_saml::idp::{ResponseShape, SpRegistration};
use samlkit_saml::{
    SignTarget, SigningCredential, SpMetadata, name_id_format_uri, read_sp_metadata,
};
use serde::Deserialize;

use crate::error::CliError;

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    entity_id: String,
    base_url: Option<String>,
    key: String,
    cert: String,
    next_cert: Option<String>,
    auto_login: Option<String>,
    #[serde(default)]
    allow_login_hint: bool,
    #[serde(default, rename = "user")]
    users: Vec<RawUser>,
    #[serde(default, rename = "sp")]
    sps: Vec<RawSp>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    id: String,
    name_id: String,
    name_id_format: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSp {
    metadata: Option<String>,
    entity_id: Option<String>,
    acs_url: Option<String>,
    slo_url: Option<String>,
    sign: Option<String>,
    alg: Option<String>,
    want_authn_requests_signed: Option<bool>,
    #[serde(default)]
    encrypt: bool,
    encrypt_cert: Option<String>,
    enc_alg: Option<String>,
    key_transport: Option<String>,
    oaep_digest: Option<String>,
    #[serde(default)]
    encrypt_name_id: bool,
    shape: Option<String>,
    auto_login: Option<String>,
    name_id_format: Option<String>,
    name_id_field: Option<String>,
    #[serde(default)]
    attribute_map: BTreeMap<String, String>,
    assertion_lifetime: Option<u32>,
}

/// One user who can log in.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) name_id: String,
    /// Format URI.
    pub(crate) name_id_format: String,
    pub(crate) attributes: Vec<(String, Vec<String>)>,
}

/// One service provider and how to answer it.
pub(crate) struct SpConfig {
    pub(crate) registration: SpRegistration,
    pub(crate) sign: SignTarget,
    pub(crate) alg: SignatureMethod,
    pub(crate) shape: &'static ResponseShape,
    pub(crate) auto_login: Option<String>,
    /// NameID format URI that overrides the user's.
    pub(crate) name_id_format: Option<String>,
    /// Which user field fills the NameID: `name_id` (default), `id`, or an attribute key.
    pub(crate) name_id_field: String,
    /// Attribute renames for this SP (user key → Name), applied before the shape's.
    pub(crate) attribute_map: BTreeMap<String, String>,
    pub(crate) assertion_lifetime: Duration,
    /// The SP's encryption certificate (`encrypt_cert`, else its metadata's), also what the
    /// encrypting `--break` kinds encrypt to.
    pub(crate) encryption_cert: Option<Certificate>,
    /// How to encrypt its assertions; `None` when `encrypt` is false.
    pub(crate) encryption: Option<Encryption>,
}

/// `encrypt = true`: the algorithms, and whether the NameID is encrypted too.
pub(crate) struct Encryption {
    pub(crate) options: EncryptOptions,
    pub(crate) name_id: bool,
}

/// Everything the server needs, checked.
pub(crate) struct Idp {
    pub(crate) entity_id: String,
    pub(crate) base_url: String,
    pub(crate) credential: SigningCredential,
    /// Published in metadata: the current certificate, then `next_cert`.
    pub(crate) published: Vec<Certificate>,
    pub(crate) auto_login: Option<String>,
    pub(crate) allow_login_hint: bool,
    /// Shared with the sessions that log them in (a session holds the user, not a copy).
    pub(crate) users: Vec<Arc<User>>,
    pub(crate) sps: Vec<SpConfig>,
}

impl Idp {
    pub(crate) fn sso_url(&self) -> String {
        format!("{}/sso", self.base_url)
    }
    pub(crate) fn slo_url(&self) -> String {
        format!("{}/slo", self.base_url)
    }
    pub(crate) fn registrations(&self) -> Vec<SpRegistration> {
        self.sps.iter().map(|s| s.registration.clone()).collect()
    }
    pub(crate) fn user(&self, id: &str) -> Option<&Arc<User>> {
        self.users.iter().find(|u| u.id == id)
    }
    pub(crate) fn sp(&self, entity_id: &str) -> Option<&SpConfig> {
        self.sps.iter().find(|s| s.registration.entity_id == entity_id)
    }
}

fn key_error(file: &str, key: &str, message: impl std::fmt::Display) -> CliError {
    CliError::input(format!("{file}: {key}: {message}"))
}

/// Reads and checks `path`; `bound_url` is the base URL when the file has no `base_url`.
pub(crate) fn load(path: &str, bound_url: &str) -> Result<Idp, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::input(format!("cannot read {path}: {}", crate::io::describe_io(&e)))
    })?;
    let raw: RawConfig = toml::from_str(&text).map_err(|e| {
        CliError::input(format!("{path}: {}", e.message().trim()) + &location(&text, e.span()))
    })?;
    let dir = Path::new(path).parent().map(Path::to_path_buf).unwrap_or_default();
    let read = |p: &str| {
        std::fs::read(resolve(&dir, p)).map_err(|e| {
            format!("cannot read {}: {}", resolve(&dir, p).display(), crate::io::describe_io(&e))
        })
    };
    build(raw, path, bound_url, &read)
}

/// The bundled fixture credential `--demo` signs with (never use it for anything real).
const DEMO_KEY: &[u8] = include_bytes!("../../../fixtures/keys/idp.key");
const DEMO_CERT: &[u8] = include_bytes!("../../../fixtures/certs/idp.crt");

/// ` (line N)` for an error's span.
fn location(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    span.map(|s| format!(" (line {})", text[..s.start.min(text.len())].matches('\n').count() + 1))
        .unwrap_or_default()
}

/// The `--demo` IdP: the bundled fixture key and certificate, users alice and bob, one SP.
pub(crate) fn demo(bound_url: &str) -> Result<Idp, CliError> {
    let raw = RawConfig {
        entity_id: "https://idp.example.com".into(),
        base_url: None,
        key: "demo.key".into(),
        cert: "demo.crt".into(),
        next_cert: None,
        auto_login: None,
        allow_login_hint: true,
        users: vec![demo_user("alice", &["admins", "staff"]), demo_user("bob", &["staff"])],
        sps: vec![RawSp {
            metadata: None,
            entity_id: Some("https://sp.example.com".into()),
            acs_url: Some("http://127.0.0.1:8000/acs".into()),
            slo_url: Some("http://127.0.0.1:8000/slo".into()),
            sign: None,
            alg: None,
            want_authn_requests_signed: None,
            encrypt: false,
            encrypt_cert: None,
            enc_alg: None,
            key_transport: None,
            oaep_digest: None,
            encrypt_name_id: false,
            shape: None,
            auto_login: None,
            name_id_format: None,
            name_id_field: None,
            attribute_map: BTreeMap::new(),
            assertion_lifetime: None,
        }],
    };
    let read = |p: &str| Ok(if p == "demo.key" { DEMO_KEY.to_vec() } else { DEMO_CERT.to_vec() });
    build(raw, "--demo", bound_url, &read)
}

fn demo_user(id: &str, groups: &[&str]) -> RawUser {
    let email = format!("{id}@example.com");
    let mut attributes = BTreeMap::new();
    attributes.insert("email".to_string(), vec![email.clone()]);
    attributes
        .insert("given_name".to_string(), vec![format!("{}{}", id[..1].to_uppercase(), &id[1..])]);
    attributes.insert("groups".to_string(), groups.iter().map(|g| g.to_string()).collect());
    RawUser { id: id.into(), name_id: email, name_id_format: Some("email".into()), attributes }
}

fn resolve(dir: &Path, p: &str) -> PathBuf {
    let path = Path::new(p);
    if path.is_absolute() { path.to_path_buf() } else { dir.join(path) }
}

type Reader<'a> = dyn Fn(&str) -> Result<Vec<u8>, String> + 'a;

fn build(
    raw: RawConfig,
    file: &str,
    bound_url: &str,
    reader: &Reader<'_>,
) -> Result<Idp, CliError> {
    let err = |key: &str, m: String| key_error(file, key, m);
    if raw.entity_id.trim().is_empty() {
        return Err(err("entity_id", "must not be empty".into()));
    }
    let base_url = raw.base_url.as_deref().unwrap_or(bound_url).trim_end_matches('/').to_string();
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(err("base_url", format!("{base_url:?} is not an http(s) URL")));
    }
    let read =
        |key: &str, p: &str| -> Result<Vec<u8>, CliError> { reader(p).map_err(|m| err(key, m)) };
    let key = samlkit_cert::PrivateKey::load(&read("key", &raw.key)?)
        .map_err(|e| err("key", format!("{}: {e}", raw.key)))?;
    let cert = Certificate::load(&read("cert", &raw.cert)?)
        .map_err(|e| err("cert", format!("{}: {e}", raw.cert)))?;
    let credential = SigningCredential::new(&key, cert.clone()).map_err(|e| {
        err("cert", format!("{} does not belong to key {}: {}", raw.cert, raw.key, e.detail()))
    })?;
    let mut published = vec![cert];
    if let Some(next) = &raw.next_cert {
        published.push(
            Certificate::load(&read("next_cert", next)?)
                .map_err(|e| err("next_cert", format!("{next}: {e}")))?,
        );
    }
    let mut users = Vec::new();
    for (i, u) in raw.users.into_iter().enumerate() {
        let key = |k: &str| format!("user[{i}].{k}");
        let format_name = u.name_id_format.unwrap_or_else(|| {
            if u.name_id.contains('@') { "email".into() } else { "unspecified".into() }
        });
        let name_id_format = name_id_format_uri(&format_name).ok_or_else(|| {
            err(
                &key("name_id_format"),
                format!(
                    "{format_name:?} is not email, persistent, transient, unspecified or a URI"
                ),
            )
        })?;
        if users.iter().any(|x: &Arc<User>| x.id == u.id) {
            return Err(err(&key("id"), format!("{:?} is used by two users", u.id)));
        }
        users.push(Arc::new(User {
            id: u.id,
            name_id: u.name_id,
            name_id_format,
            attributes: u.attributes.into_iter().collect(),
        }));
    }
    let known_user = |key: &str, id: &Option<String>| -> Result<(), CliError> {
        match id {
            Some(id) if !users.iter().any(|u| &u.id == id) => {
                Err(err(key, format!("{id:?} is not a configured [[user]] id")))
            }
            _ => Ok(()),
        }
    };
    known_user("auto_login", &raw.auto_login)?;
    let mut sps = Vec::new();
    for (i, s) in raw.sps.into_iter().enumerate() {
        let key = |k: &str| format!("sp[{i}].{k}");
        // The SP metadata's encryption certificate and preferred algorithm, when it has them.
        let mut from_metadata = None;
        let mut registration = match (&s.metadata, &s.entity_id, &s.acs_url) {
            (Some(m), None, None) => {
                let bytes = read(&key("metadata"), m)?;
                from_metadata = read_sp_metadata(&bytes, None, None).ok();
                SpRegistration::from_metadata(&bytes)
                    .map_err(|e| err(&key("metadata"), format!("{m}: {e}")))?
            }
            (None, Some(id), Some(acs)) => SpRegistration::new(id, acs, s.slo_url.as_deref()),
            (Some(_), _, _) => {
                return Err(err(
                    &key("metadata"),
                    "give metadata, or entity_id and acs_url, not both".into(),
                ));
            }
            (None, _, _) => {
                return Err(err(
                    &format!("sp[{i}]"),
                    "needs metadata = \"FILE\", or entity_id and acs_url".into(),
                ));
            }
        };
        if let Some(slo) = s.slo_url.as_deref().filter(|_| s.metadata.is_some()) {
            registration.slo.insert(
                0,
                samlkit_saml::Endpoint {
                    binding: samlkit_saml::BINDING_HTTP_REDIRECT.into(),
                    location: slo.into(),
                },
            );
        }
        if let Some(want) = s.want_authn_requests_signed {
            registration.want_authn_requests_signed = want;
        }
        if registration.want_authn_requests_signed && registration.signing_certs.is_empty() {
            return Err(err(
                &key("want_authn_requests_signed"),
                "true needs the SP's signing certificate, from its metadata (metadata = \"FILE\")"
                    .into(),
            ));
        }
        let encryption_cert = match &s.encrypt_cert {
            Some(path) => Some(
                Certificate::load(&read(&key("encrypt_cert"), path)?)
                    .map_err(|e| err(&key("encrypt_cert"), format!("{path}: {e}")))?,
            ),
            None => from_metadata.as_ref().and_then(|m| m.encryption_certificate.clone()),
        };
        let encryption = encryption_config(&s, encryption_cert.as_ref(), from_metadata.as_ref())
            .map_err(|(k, m)| err(&key(k), m))?;
        let shape = match &s.shape {
            None => ResponseShape::by_name("generic"),
            Some(name) => ResponseShape::by_name(name),
        }
        .ok_or_else(|| {
            err(
                &key("shape"),
                format!(
                    "{:?} is not one of {}",
                    s.shape.as_deref().unwrap_or(""),
                    ResponseShape::names().join(", ")
                ),
            )
        })?;
        let sign = match &s.sign {
            None => shape.sign,
            Some(name) => SignTarget::from_name(name).ok_or_else(|| {
                err(&key("sign"), format!("{name:?} is not assertion, response or both"))
            })?,
        };
        let alg = match &s.alg {
            None => SignatureMethod::default_for_key(credential.key_algorithm()),
            // SHA-1 signatures are forgeable; the login page's `sha1` break makes one on purpose.
            Some(name) => SignatureMethod::from_name(name)
                .filter(|m| m.name() != "rsa-sha1" && m.for_key(credential.key_algorithm()).is_some())
                .ok_or_else(|| err(&key("alg"), format!("{name:?} is not a signature algorithm for the IdP's key (rsa-sha256, rsa-sha384, rsa-sha512, ecdsa-sha256, ecdsa-sha384)")))?,
        };
        known_user(&key("auto_login"), &s.auto_login)?;
        let name_id_format = s
            .name_id_format
            .as_deref()
            .map(|f| {
                name_id_format_uri(f).ok_or_else(|| {
                    err(
                        &key("name_id_format"),
                        format!("{f:?} is not email, persistent, transient, unspecified or a URI"),
                    )
                })
            })
            .transpose()?;
        if sps.iter().any(|x: &SpConfig| x.registration.entity_id == registration.entity_id) {
            return Err(err(
                &key("entity_id"),
                format!("{:?} is registered twice", registration.entity_id),
            ));
        }
        sps.push(SpConfig {
            registration,
            sign,
            alg,
            shape,
            auto_login: s.auto_login,
            name_id_format,
            name_id_field: s.name_id_field.unwrap_or_else(|| "name_id".into()),
            attribute_map: s.attribute_map,
            assertion_lifetime: Duration::seconds(i64::from(s.assertion_lifetime.unwrap_or(300))),
            encryption_cert,
            encryption,
        });
    }
    Ok(Idp {
        entity_id: raw.entity_id,
        base_url,
        credential,
        published,
        auto_login: raw.auto_login,
        allow_login_hint: raw.allow_login_hint,
        users,
        sps,
    })
}

/// The `encrypt` keys of one SP: `None` unless `encrypt = true`; an error (key, message) for an
/// algorithm name `issue` does not know, for algorithm keys without `encrypt = true`, or for
/// `encrypt = true` without a certificate to encrypt to.
fn encryption_config(
    s: &RawSp,
    cert: Option<&Certificate>,
    metadata: Option<&SpMetadata>,
) -> Result<Option<Encryption>, (&'static str, String)> {
    use crate::encryption::{EncAlg, KeyTransportArg, OaepDigestArg};
    use clap::ValueEnum;
    fn parse<T: ValueEnum>(
        key: &'static str,
        value: Option<&str>,
    ) -> Result<Option<T>, (&'static str, String)> {
        value
            .map(|v| {
                T::from_str(v, false).map_err(|_| {
                    let known: Vec<String> = T::value_variants()
                        .iter()
                        .filter_map(|x| x.to_possible_value().map(|p| p.get_name().to_string()))
                        .collect();
                    (key, format!("{v:?} is not one of {}", known.join(", ")))
                })
            })
            .transpose()
    }
    let enc_alg = parse::<EncAlg>("enc_alg", s.enc_alg.as_deref())?;
    let key_transport = parse::<KeyTransportArg>("key_transport", s.key_transport.as_deref())?;
    let oaep_digest = parse::<OaepDigestArg>("oaep_digest", s.oaep_digest.as_deref())?;
    if !s.encrypt {
        let tuned = [
            ("enc_alg", s.enc_alg.is_some()),
            ("key_transport", s.key_transport.is_some()),
            ("oaep_digest", s.oaep_digest.is_some()),
            ("encrypt_name_id", s.encrypt_name_id),
        ];
        return match tuned.iter().find(|(_, set)| *set) {
            Some((k, _)) => Err((k, "has no effect without encrypt = true".into())),
            None => Ok(None),
        };
    }
    if cert.is_none() {
        return Err((
            "encrypt",
            "true needs the SP's encryption certificate: a KeyDescriptor use=\"encryption\" (or without use) in its metadata, or encrypt_cert = \"FILE\"".into(),
        ));
    }
    // Without enc_alg, what the SP's metadata prefers (GCM unless it lists only CBC), as
    // `issue --sp-metadata --encrypt` does.
    let preferred = metadata.map(|m| m.preferred_data_algorithm);
    let options =
        crate::encryption::encrypt_options(enc_alg, key_transport, oaep_digest, preferred);
    // Found now rather than at the first login: a certificate whose key cannot encrypt (not RSA).
    if let Some(cert) = cert
        && let Err(e) = samlkit_dsig::encrypt_element("<probe/>", cert, &options)
    {
        let from = if s.encrypt_cert.is_some() { "encrypt_cert" } else { "metadata" };
        return Err((from, format!("cannot encrypt to this certificate: {e}")));
    }
    Ok(Some(Encryption { options, name_id: s.encrypt_name_id }))
}

/// The digest that goes with a signature method.
pub(crate) fn digest_for(method: SignatureMethod) -> DigestMethod {
    match method.name() {
        n if n.ends_with("384") => DigestMethod::Sha384,
        n if n.ends_with("512") => DigestMethod::Sha512,
        _ => DigestMethod::Sha256,
    }
}
