//! The Salesforce metadata types that hold or name certificates, how their files are named, and
//! which of their fields point at a certificate and how.
//!
//! Files are recognised by suffix as the Salesforce CLI does: `NAME.<suffix>-meta.xml` in source
//! format, `NAME.<suffix>` (plus `NAME.<suffix>-meta.xml` for types with content, such as
//! certificates) in a Metadata API retrieve.

/// A metadata type the scan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetadataType {
    /// `certs/NAME.crt` + `NAME.crt-meta.xml`.
    Certificate,
    /// `samlssoconfigs/NAME.samlssoconfig`: Salesforce as SAML service provider.
    SamlSsoConfig,
    /// `settings/IdentityProvider.settings`: Salesforce as SAML identity provider.
    IdentityProviderSettings,
    /// `connectedApps/NAME.connectedApp`.
    ConnectedApp,
    /// `namedCredentials/NAME.namedCredential`.
    NamedCredential,
    /// `externalCredentials/NAME.externalCredential`.
    ExternalCredential,
    /// `dataSources/NAME.dataSource`.
    ExternalDataSource,
    /// `extlClntAppSamlConfigurablePolicies/NAME.ecaSamlPlcy`.
    ExtlClntAppSamlConfigurablePolicies,
    /// `extlClntAppGlobalOauthSets/NAME.ecaGlblOauth`.
    ExtlClntAppGlobalOauthSettings,
    /// `extlClntAppOauthSettings/NAME.ecaOauth`.
    ExtlClntAppOauthSettings,
    /// `classes/NAME.cls`: only scanned for certificate names in string literals.
    ApexClass,
}

/// One row of the type table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TypeInfo {
    pub kind: MetadataType,
    /// The file suffix without the dot, as the Salesforce CLI spells it.
    pub suffix: &'static str,
    /// Whether the component has a content file beside its `-meta.xml` (certificates, Apex).
    pub has_content: bool,
}

pub(crate) const TYPES: &[TypeInfo] = &[
    TypeInfo { kind: MetadataType::Certificate, suffix: "crt", has_content: true },
    TypeInfo { kind: MetadataType::SamlSsoConfig, suffix: "samlssoconfig", has_content: false },
    TypeInfo {
        kind: MetadataType::IdentityProviderSettings,
        suffix: "settings",
        has_content: false,
    },
    TypeInfo { kind: MetadataType::ConnectedApp, suffix: "connectedApp", has_content: false },
    TypeInfo { kind: MetadataType::NamedCredential, suffix: "namedCredential", has_content: false },
    TypeInfo {
        kind: MetadataType::ExternalCredential,
        suffix: "externalCredential",
        has_content: false,
    },
    TypeInfo { kind: MetadataType::ExternalDataSource, suffix: "dataSource", has_content: false },
    TypeInfo {
        kind: MetadataType::ExtlClntAppSamlConfigurablePolicies,
        suffix: "ecaSamlPlcy",
        has_content: false,
    },
    TypeInfo {
        kind: MetadataType::ExtlClntAppGlobalOauthSettings,
        suffix: "ecaGlblOauth",
        has_content: false,
    },
    TypeInfo {
        kind: MetadataType::ExtlClntAppOauthSettings,
        suffix: "ecaOauth",
        has_content: false,
    },
    TypeInfo { kind: MetadataType::ApexClass, suffix: "cls", has_content: true },
];

impl MetadataType {
    /// The Metadata API type name, e.g. `SamlSsoConfig` (also the XML root element).
    pub fn as_str(self) -> &'static str {
        match self {
            MetadataType::Certificate => "Certificate",
            MetadataType::SamlSsoConfig => "SamlSsoConfig",
            MetadataType::IdentityProviderSettings => "IdentityProviderSettings",
            MetadataType::ConnectedApp => "ConnectedApp",
            MetadataType::NamedCredential => "NamedCredential",
            MetadataType::ExternalCredential => "ExternalCredential",
            MetadataType::ExternalDataSource => "ExternalDataSource",
            MetadataType::ExtlClntAppSamlConfigurablePolicies => {
                "ExtlClntAppSamlConfigurablePolicies"
            }
            MetadataType::ExtlClntAppGlobalOauthSettings => "ExtlClntAppGlobalOauthSettings",
            MetadataType::ExtlClntAppOauthSettings => "ExtlClntAppOauthSettings",
            MetadataType::ApexClass => "ApexClass",
        }
    }
}

/// What a metadata file path denotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileRole {
    pub kind: MetadataType,
    /// The component name (`fullName`): the file name without suffix.
    pub name: String,
    /// Whether this is the XML description (`true`) or the content file (`.crt`, `.cls`).
    pub is_xml: bool,
}

/// Classifies a project-relative path by its suffix; `None` for files the scan ignores.
pub(crate) fn classify(path: &str) -> Option<FileRole> {
    let file = path.rsplit('/').next().unwrap_or(path);
    let (stem, is_meta) = match file.strip_suffix("-meta.xml") {
        Some(stem) => (stem, true),
        None => (file, false),
    };
    let (name, suffix) = stem.rsplit_once('.')?;
    let info = TYPES.iter().find(|t| t.suffix == suffix)?;
    if name.is_empty() {
        return None;
    }
    // Only one settings file matters: IdentityProvider.settings.
    if info.kind == MetadataType::IdentityProviderSettings && name != "IdentityProvider" {
        return None;
    }
    let is_xml = is_meta || !info.has_content;
    Some(FileRole { kind: info.kind, name: name.to_string(), is_xml })
}

/// Whether the scan reads the file at `path`.
pub(crate) fn is_interesting(path: &str) -> bool {
    classify(path).is_some()
}

/// How a field points at a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefKind {
    /// The Certificate component's name (`DeveloperName`).
    Name,
    /// The name, or failing that the master label (IdentityProviderSettings).
    NameOrLabel,
    /// The certificate itself, base64 DER or PEM.
    Inline,
    /// The certificate's record Id, resolved through `--ids`.
    Id,
}

/// One field that names or holds a certificate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldRule {
    pub kind: MetadataType,
    /// Element path below the root element, by local name.
    pub path: &'static [&'static str],
    pub how: RefKind,
    /// What the certificate does for this integration, in plain words.
    pub role: &'static str,
    /// For repeated parameter elements: the `parameterType` value the element must have.
    pub parameter_type: Option<&'static str>,
}

const fn rule(
    kind: MetadataType,
    path: &'static [&'static str],
    how: RefKind,
    role: &'static str,
) -> FieldRule {
    FieldRule { kind, path, how, role, parameter_type: None }
}

const fn param_rule(
    kind: MetadataType,
    path: &'static [&'static str],
    parameter_type: &'static str,
    role: &'static str,
) -> FieldRule {
    FieldRule { kind, path, how: RefKind::Name, role, parameter_type: Some(parameter_type) }
}

use MetadataType as T;

/// Every certificate-bearing field the scan knows.
pub(crate) const RULES: &[FieldRule] = &[
    rule(T::SamlSsoConfig, &["decryptionCertificate"], RefKind::Name, "decrypts assertions"),
    rule(
        T::SamlSsoConfig,
        &["validationCert"],
        RefKind::Inline,
        "verifies the external IdP's assertions",
    ),
    rule(
        T::SamlSsoConfig,
        &["requestSigningCertId"],
        RefKind::Id,
        "signs SAML requests to the external IdP",
    ),
    rule(
        T::IdentityProviderSettings,
        &["certificateName"],
        RefKind::NameOrLabel,
        "Salesforce signs SAML responses as IdP",
    ),
    rule(
        T::ConnectedApp,
        &["samlConfig", "encryptionCertificate"],
        RefKind::Name,
        "encrypts assertions to the service provider",
    ),
    rule(T::ConnectedApp, &["oauthConfig", "certificate"], RefKind::Inline, "JWT bearer flow"),
    rule(
        T::ConnectedApp,
        &["samlConfig", "certificate"],
        RefKind::Inline,
        "verifies the service provider's signed SAML requests",
    ),
    rule(
        T::ConnectedApp,
        &["oauthConfig", "assetTokenConfig", "assetSigningCertId"],
        RefKind::Id,
        "signs OAuth asset tokens",
    ),
    rule(
        T::ConnectedApp,
        &["assetTokenConfig", "assetSigningCertId"],
        RefKind::Id,
        "signs OAuth asset tokens",
    ),
    param_rule(
        T::NamedCredential,
        &["namedCredentialParameters", "certificate"],
        "ClientCertificate",
        "mTLS client certificate for callouts",
    ),
    rule(
        T::NamedCredential,
        &["certificate"],
        RefKind::Name,
        "mTLS client certificate for callouts",
    ),
    rule(T::NamedCredential, &["jwtSigningCertificate"], RefKind::Name, "signs JWTs for callouts"),
    param_rule(
        T::ExternalCredential,
        &["externalCredentialParameters", "certificate"],
        "SigningCertificate",
        "signs JWTs for callouts",
    ),
    param_rule(
        T::ExternalCredential,
        &["externalCredentialParameters", "parameterValue"],
        "SigningCertificate",
        "signs JWTs for callouts",
    ),
    rule(
        T::ExternalDataSource,
        &["certificate"],
        RefKind::Name,
        "mTLS client certificate for callouts",
    ),
    rule(
        T::ExtlClntAppSamlConfigurablePolicies,
        &["encryptionCertificate"],
        RefKind::Name,
        "encrypts assertions to the service provider",
    ),
    rule(
        T::ExtlClntAppSamlConfigurablePolicies,
        &["certificate"],
        RefKind::Inline,
        "verifies the service provider's signed SAML requests",
    ),
    rule(T::ExtlClntAppGlobalOauthSettings, &["certificate"], RefKind::Inline, "JWT bearer flow"),
    rule(
        T::ExtlClntAppOauthSettings,
        &["assetTokenSigningCertificate"],
        RefKind::Id,
        "signs OAuth asset tokens",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_are_recognised_in_both_formats() {
        let cases = [
            ("force-app/main/default/certs/A.crt-meta.xml", Some((T::Certificate, "A", true))),
            ("force-app/main/default/certs/A.crt", Some((T::Certificate, "A", false))),
            ("samlssoconfigs/Okta.samlssoconfig", Some((T::SamlSsoConfig, "Okta", true))),
            (
                "x/samlssoconfigs/Okta.samlssoconfig-meta.xml",
                Some((T::SamlSsoConfig, "Okta", true)),
            ),
            (
                "settings/IdentityProvider.settings",
                Some((T::IdentityProviderSettings, "IdentityProvider", true)),
            ),
            ("settings/Security.settings-meta.xml", None),
            ("connectedApps/My.App.connectedApp", Some((T::ConnectedApp, "My.App", true))),
            (
                "extlClntAppGlobalOauthSets/E.ecaGlblOauth-meta.xml",
                Some((T::ExtlClntAppGlobalOauthSettings, "E", true)),
            ),
            ("classes/Callout.cls", Some((T::ApexClass, "Callout", false))),
            ("package.xml", None),
            ("certs/.crt", None),
            ("README.md", None),
        ];
        for (path, expected) in cases {
            let got = classify(path).map(|r| (r.kind, r.name, r.is_xml));
            let expected = expected.map(|(k, n, x)| (k, n.to_string(), x));
            assert_eq!(got, expected, "{path}");
        }
    }
}
