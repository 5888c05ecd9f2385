//! `inventory::scan` through the public API: the fixture org in both formats (and zipped), one
//! table row per metadata type and field, grouping by fingerprint, chains, CSRs, and files that
//! cannot be used.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure is a test failure

mod common;

use std::io::Write as _;

use chrono::{DateTime, TimeZone, Utc};
use common::{fixture, read_fixture, read_fixture_text};
use samlkit_cert::Certificate;
use samlkit_cert::inventory::merge::merge;
use samlkit_cert::inventory::scan::{CertificateIds, ScanOptions, ScanReport, scan};
use samlkit_cert::inventory::{Inventory, render};
use samlkit_cert::sfmeta::{ProjectFile, ProjectFiles, ProjectFormat, extract};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
}

fn ids() -> CertificateIds {
    CertificateIds::parse_csv(&read_fixture_text("sfdx/certificate-ids.csv"), "ids.csv").unwrap()
}

fn scan_project(project: &ProjectFiles, ids: Option<CertificateIds>) -> ScanReport {
    scan(&extract(project), &ScanOptions { now: now(), warn_days: 60, ids })
}

/// What must not depend on how the org was written down (paths do).
type Row = (Option<String>, Option<String>, Option<String>, String, Vec<String>);

fn essence(report: &ScanReport) -> (Vec<Row>, Vec<String>) {
    let certificates = report
        .certificates
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                c.sha256.clone(),
                c.not_after.map(|t| t.to_rfc3339()),
                format!("{} {:?} {:?}", c.status.as_str(), c.days_left, c.threshold),
                c.used_by
                    .iter()
                    .map(|u| {
                        format!(
                            "{} {} {} {}",
                            u.metadata_type.as_str(),
                            u.component,
                            u.field,
                            u.ref_str()
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let problems = report
        .problems
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {:?} {}",
                p.kind.as_str(),
                p.metadata_type.as_str(),
                p.component,
                p.field,
                p.value
            )
        })
        .collect();
    (certificates, problems)
}

/// Zips the directory `dir` (paths relative to it) into memory.
fn zip_dir(dir: &std::path::Path) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                writer.start_file(name, options).unwrap();
                writer.write_all(&std::fs::read(&path).unwrap()).unwrap();
            }
        }
    }
    writer.finish().unwrap().into_inner()
}

fn sha256_of(fixture_path: &str) -> String {
    Certificate::load(&read_fixture(fixture_path)).unwrap().sha256_fingerprint()
}

#[test]
fn the_org_reads_the_same_from_source_format_mdapi_and_a_zip() {
    let source = ProjectFiles::read(&fixture("sfdx/source")).unwrap();
    let mdapi = ProjectFiles::read(&fixture("sfdx/mdapi")).unwrap();
    let zipped =
        ProjectFiles::from_zip_bytes(&zip_dir(&fixture("sfdx/mdapi")), "mdapi.zip").unwrap();
    assert_eq!(source.format, ProjectFormat::Source);
    assert_eq!(source.roots, ["force-app"]);
    assert_eq!(mdapi.format, ProjectFormat::MetadataApi);
    assert_eq!(zipped.format, ProjectFormat::MetadataApi);

    let expected = essence(&scan_project(&source, Some(ids())));
    assert_eq!(essence(&scan_project(&mdapi, Some(ids()))), expected);
    assert_eq!(essence(&scan_project(&zipped, Some(ids()))), expected);

    // And what they agree on is right.
    let report = scan_project(&source, Some(ids()));
    let names: Vec<String> = report.certificates.iter().map(|c| c.display_name()).collect();
    let okta = sha256_of("sfdx/certs/okta-idp.crt").replace(':', "");
    let partner = sha256_of("sfdx/certs/partner-sp.crt").replace(':', "");
    assert_eq!(
        names,
        [
            "New_CA_Cert".to_string(),
            "Old_Unused".to_string(),
            "Bank_mTLS".to_string(),
            "SSO_Signing".to_string(),
            format!("inline {}", &okta[..8]),
            "Jwt_Signer".to_string(),
            format!("inline {}", &partner[..8]),
        ]
    );
    let statuses: Vec<&str> = report.certificates.iter().map(|c| c.status.as_str()).collect();
    assert_eq!(statuses, ["pending", "expired", "expired", "renew", "ok", "ok", "ok"]);
    let sso = &report.certificates[3];
    assert_eq!((sso.days_left, sso.threshold), (Some(20), Some(30)));
    assert_eq!(sso.label.as_deref(), Some("SSO Signing 2026"));
    let (_, problems) = essence(&report);
    assert_eq!(
        problems,
        [
            "dangling-reference ExtlClntAppSamlConfigurablePolicies Partner_Portal Some(\"encryptionCertificate\") Retired_Cert",
            "unresolved-id ConnectedApp Integration_JWT Some(\"oauthConfig/assetTokenConfig/assetSigningCertId\") 0P1Hs000000ZzzZ",
            "expired-in-use NamedCredential Bank_API Some(\"namedCredentialParameters/certificate\") Bank_mTLS",
            "expired-in-use NamedCredential Legacy_Partner Some(\"certificate\") Bank_mTLS",
            "expired-in-use ExternalDataSource Ledger Some(\"certificate\") Bank_mTLS",
            "pending-in-use SamlSsoConfig Okta_SSO Some(\"decryptionCertificate\") New_CA_Cert",
            "unused-certificate Certificate Old_Unused None Old_Unused",
        ]
    );
    assert!(report.needs_action());
    let code: Vec<(&str, usize, &str)> = report
        .code_references
        .iter()
        .map(|r| (r.class.as_str(), r.line, r.certificate.as_str()))
        .collect();
    assert_eq!(code, [("BankCallout", 5, "Bank_mTLS")]);
}

#[test]
fn without_ids_references_by_id_are_listed_unresolved_never_dropped() {
    let report = scan_project(&ProjectFiles::read(&fixture("sfdx/mdapi")).unwrap(), None);
    let unresolved: Vec<(&str, &str)> = report
        .problems
        .iter()
        .filter(|p| p.kind.as_str() == "unresolved-id")
        .map(|p| (p.component.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(
        unresolved,
        [
            ("Okta_SSO", "0P1Hs000000AbcD"),
            ("Integration_JWT", "0P1Hs000000ZzzZ"),
            ("Mobile_App", "0P1Hs000000XyzW")
        ]
    );
}

#[test]
fn a_ca_signed_chain_is_one_certificate_the_leaf() {
    let report = scan_project(&ProjectFiles::read(&fixture("sfdx/source")).unwrap(), None);
    let bank: Vec<_> =
        report.certificates.iter().filter(|c| c.name.as_deref() == Some("Bank_mTLS")).collect();
    assert_eq!(bank.len(), 1);
    let chain = Certificate::load_all(&read_fixture("sfdx/certs/bank-mtls-chain.crt")).unwrap();
    assert_eq!(chain.len(), 2, "the fixture really is a chain");
    assert_eq!(bank[0].sha256.as_deref(), Some(chain[0].sha256_fingerprint().as_str()));
    assert!(bank[0].subject.as_deref().unwrap().contains("callouts.example-org.com"));
    let ca = chain[1].sha256_fingerprint();
    assert!(report.certificates.iter().all(|c| c.sha256.as_deref() != Some(ca.as_str())));
}

#[test]
fn a_csr_only_crt_is_pending_with_the_request_subject() {
    let report = scan_project(&ProjectFiles::read(&fixture("sfdx/mdapi")).unwrap(), None);
    let pending = report.certificates.iter().find(|c| c.name.as_deref() == Some("New_CA_Cert"));
    let pending = pending.unwrap();
    assert_eq!(pending.status.as_str(), "pending");
    assert_eq!(pending.sha256, None);
    assert!(pending.subject.as_deref().unwrap().contains("new.example-org.com"));
    assert!(pending.detail.as_deref().unwrap().contains("certificate signing request"));
}

// ----- A minimal Metadata API retrieve, one component at a time -----

const NS: &str = r#"xmlns="http://soap.sforce.com/2006/04/metadata""#;

fn file(path: &str, text: &str) -> ProjectFile {
    ProjectFile { path: path.to_string(), contents: Ok(text.as_bytes().to_vec()) }
}

fn certificate_component(name: &str, label: &str, crt: &str) -> Vec<ProjectFile> {
    vec![
        file(
            &format!("certs/{name}.crt-meta.xml"),
            &format!(
                "<Certificate {NS}><caSigned>false</caSigned><expirationDate>2027-12-31</expirationDate><keySize>2048</keySize><masterLabel>{label}</masterLabel><privateKeyExportable>true</privateKeyExportable></Certificate>"
            ),
        ),
        file(&format!("certs/{name}.crt"), crt),
    ]
}

/// A retrieve with package.xml, the Jwt_Signer certificate (label "JWT Signer") and `extra`.
fn retrieve(extra: Vec<ProjectFile>) -> ProjectFiles {
    let mut files = vec![file("package.xml", &format!("<Package {NS}/>"))];
    files.extend(certificate_component(
        "Jwt_Signer",
        "JWT Signer",
        &read_fixture_text("sfdx/certs/jwt-signer.crt"),
    ));
    files.extend(extra);
    ProjectFiles::from_files(files, "test").unwrap()
}

fn jwt_base64(wrap: bool) -> String {
    let cert = Certificate::load(&read_fixture("sfdx/certs/jwt-signer.crt")).unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(cert.der());
    if !wrap {
        return b64;
    }
    b64.as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_certificate_bearing_field_of_every_type() {
    let pem = read_fixture_text("sfdx/certs/jwt-signer.crt");
    let one_line = jwt_base64(false);
    let wrapped = jwt_base64(true);
    // (path, root element, body, expected usages "type component field ref")
    let cases: Vec<(&str, &str, String, Vec<&str>)> = vec![
        ("samlssoconfigs/S.samlssoconfig", "SamlSsoConfig", "<decryptionCertificate>Jwt_Signer</decryptionCertificate>".into(), vec!["SamlSsoConfig S decryptionCertificate name"]),
        ("samlssoconfigs/S.samlssoconfig", "SamlSsoConfig", format!("<validationCert>{one_line}</validationCert>"), vec!["SamlSsoConfig S validationCert inline"]),
        ("samlssoconfigs/S.samlssoconfig", "SamlSsoConfig", "<requestSigningCertId>0P1Hs000000XyzW</requestSigningCertId>".into(), vec!["SamlSsoConfig S requestSigningCertId id"]),
        ("settings/IdentityProvider.settings", "IdentityProviderSettings", "<certificateName>JWT Signer</certificateName>".into(), vec!["IdentityProviderSettings IdentityProvider certificateName label"]),
        ("settings/IdentityProvider.settings", "IdentityProviderSettings", "<certificateName>Jwt_Signer</certificateName>".into(), vec!["IdentityProviderSettings IdentityProvider certificateName name"]),
        ("connectedApps/C.connectedApp", "ConnectedApp", "<samlConfig><encryptionCertificate>Jwt_Signer</encryptionCertificate></samlConfig>".into(), vec!["ConnectedApp C samlConfig/encryptionCertificate name"]),
        ("connectedApps/C.connectedApp", "ConnectedApp", format!("<samlConfig><certificate>{pem}</certificate></samlConfig>"), vec!["ConnectedApp C samlConfig/certificate inline"]),
        ("connectedApps/C.connectedApp", "ConnectedApp", format!("<oauthConfig><certificate>{wrapped}</certificate></oauthConfig>"), vec!["ConnectedApp C oauthConfig/certificate inline"]),
        ("connectedApps/C.connectedApp", "ConnectedApp", "<oauthConfig><assetTokenConfig><assetSigningCertId>0P1Hs000000XyzW</assetSigningCertId></assetTokenConfig></oauthConfig>".into(), vec!["ConnectedApp C oauthConfig/assetTokenConfig/assetSigningCertId id"]),
        ("namedCredentials/N.namedCredential", "NamedCredential", "<namedCredentialParameters><certificate>Jwt_Signer</certificate><parameterName>ClientCertificate</parameterName><parameterType>ClientCertificate</parameterType></namedCredentialParameters><namedCredentialParameters><parameterName>Url</parameterName><parameterType>Url</parameterType><parameterValue>Jwt_Signer</parameterValue></namedCredentialParameters>".into(), vec!["NamedCredential N namedCredentialParameters/certificate name"]),
        ("namedCredentials/N.namedCredential", "NamedCredential", "<certificate>Jwt_Signer</certificate><jwtSigningCertificate>Jwt_Signer</jwtSigningCertificate>".into(), vec!["NamedCredential N certificate name", "NamedCredential N jwtSigningCertificate name"]),
        ("externalCredentials/E.externalCredential", "ExternalCredential", "<externalCredentialParameters><certificate>Jwt_Signer</certificate><parameterName>Sign</parameterName><parameterType>SigningCertificate</parameterType><parameterValue>Jwt_Signer</parameterValue></externalCredentialParameters>".into(), vec!["ExternalCredential E externalCredentialParameters/certificate name"]),
        ("externalCredentials/E.externalCredential", "ExternalCredential", "<externalCredentialParameters><parameterName>Sign</parameterName><parameterType>SigningCertificate</parameterType><parameterValue>Jwt_Signer</parameterValue></externalCredentialParameters><externalCredentialParameters><parameterName>Scope</parameterName><parameterType>AuthParameter</parameterType><parameterValue>Jwt_Signer</parameterValue></externalCredentialParameters>".into(), vec!["ExternalCredential E externalCredentialParameters/parameterValue name"]),
        ("dataSources/D.dataSource", "ExternalDataSource", "<certificate>Jwt_Signer</certificate>".into(), vec!["ExternalDataSource D certificate name"]),
        ("extlClntAppSamlConfigurablePolicies/P.ecaSamlPlcy", "ExtlClntAppSamlConfigurablePolicies", format!("<certificate>{pem}</certificate><encryptionCertificate>Jwt_Signer</encryptionCertificate>"), vec!["ExtlClntAppSamlConfigurablePolicies P certificate inline", "ExtlClntAppSamlConfigurablePolicies P encryptionCertificate name"]),
        ("extlClntAppGlobalOauthSets/G.ecaGlblOauth", "ExtlClntAppGlobalOauthSettings", format!("<certificate>{one_line}</certificate>"), vec!["ExtlClntAppGlobalOauthSettings G certificate inline"]),
        ("extlClntAppOauthSettings/O.ecaOauth", "ExtlClntAppOauthSettings", "<assetTokenSigningCertificate>0P1Hs000000XyzW</assetTokenSigningCertificate>".into(), vec!["ExtlClntAppOauthSettings O assetTokenSigningCertificate id"]),
    ];
    for (path, root, body, expected) in cases {
        let xml =
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} {NS}>{body}</{root}>");
        // The same component in source format must give the same answer.
        let source_path = format!("force-app/main/default/{path}-meta.xml");
        let mut source_files =
            vec![file("sfdx-project.json", r#"{"packageDirectories":[{"path":"force-app"}]}"#)];
        for f in certificate_component("Jwt_Signer", "JWT Signer", &pem) {
            source_files
                .push(ProjectFile { path: format!("force-app/main/default/{}", f.path), ..f });
        }
        source_files.push(file(&source_path, &xml));
        let projects = [
            retrieve(vec![file(path, &xml)]),
            ProjectFiles::from_files(source_files, "t").unwrap(),
        ];
        for project in projects {
            let report = scan_project(&project, Some(ids()));
            assert_eq!(report.certificates.len(), 1, "{path} {body}: {:?}", report.certificates);
            let (rows, problems) = essence(&report);
            assert_eq!(rows[0].4, expected, "{path} {body}");
            assert!(problems.is_empty(), "{path}: {problems:?}");
        }
    }
}

#[test]
fn grouping_by_fingerprint_merges_one_certificate_written_two_ways() {
    // Not a Certificate component: only inline, as one-line base64 and as PEM.
    let pem = read_fixture_text("sfdx/certs/okta-idp.crt");
    let der = Certificate::load(pem.as_bytes()).unwrap();
    use base64::Engine as _;
    let one_line = base64::engine::general_purpose::STANDARD.encode(der.der());
    let project = retrieve(vec![
        file(
            "samlssoconfigs/Okta.samlssoconfig",
            &format!(
                "<SamlSsoConfig {NS}><validationCert>{one_line}</validationCert></SamlSsoConfig>"
            ),
        ),
        file(
            "extlClntAppSamlConfigurablePolicies/P.ecaSamlPlcy",
            &format!(
                "<ExtlClntAppSamlConfigurablePolicies {NS}><certificate>{pem}</certificate></ExtlClntAppSamlConfigurablePolicies>"
            ),
        ),
        file(
            "connectedApps/J.connectedApp",
            &format!(
                "<ConnectedApp {NS}><oauthConfig><certificate>{}</certificate></oauthConfig></ConnectedApp>",
                jwt_base64(true)
            ),
        ),
    ]);
    let report = scan_project(&project, None);
    let okta: Vec<_> = report
        .certificates
        .iter()
        .filter(|c| c.sha256.as_deref() == Some(der.sha256_fingerprint().as_str()))
        .collect();
    assert_eq!(okta.len(), 1);
    assert_eq!(okta[0].name, None, "only written inline");
    assert_eq!(okta[0].used_by.len(), 2);
    // The inline JWT certificate joined the Jwt_Signer component instead of making a new entry.
    let jwt = report.certificates.iter().find(|c| c.name.as_deref() == Some("Jwt_Signer")).unwrap();
    assert_eq!(jwt.used_by.len(), 1);
    assert_eq!(report.certificates.len(), 2);
}

#[test]
fn unusable_files_are_reported_one_by_one_and_the_scan_goes_on() {
    let project = retrieve(vec![
        file(
            "dataSources/Broken.dataSource",
            &format!("<ExternalDataSource {NS}><certificate>Jwt_Signer</certificate>"),
        ),
        file(
            "dataSources/Dtd.dataSource",
            &format!(
                "<!DOCTYPE x [<!ENTITY e \"Jwt_Signer\">]><ExternalDataSource {NS}><certificate>&e;</certificate></ExternalDataSource>"
            ),
        ),
        file("dataSources/Wrong.dataSource", &format!("<NamedCredential {NS}/>")),
        file(
            "dataSources/Good.dataSource",
            &format!(
                "<ExternalDataSource {NS}><certificate>Jwt_Signer</certificate></ExternalDataSource>"
            ),
        ),
        file(
            "certs/NoCrt.crt-meta.xml",
            &format!(
                "<Certificate {NS}><masterLabel>No crt</masterLabel><expirationDate>2027-01-01T00:00:00.000Z</expirationDate></Certificate>"
            ),
        ),
        file(
            "certs/Garbage.crt-meta.xml",
            &format!("<Certificate {NS}><masterLabel>Garbage</masterLabel></Certificate>"),
        ),
        file(
            "certs/Garbage.crt",
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
        ),
        file(
            "connectedApps/Bad.connectedApp",
            &format!(
                "<ConnectedApp {NS}><oauthConfig><certificate>%%% not base64 %%%</certificate></oauthConfig></ConnectedApp>"
            ),
        ),
        ProjectFile {
            path: "namedCredentials/Huge.namedCredential".into(),
            contents: Err("9999999999 bytes, larger than the limit".into()),
        },
    ]);
    let report = scan_project(&project, None);
    let kinds: Vec<(String, String)> = report
        .problems
        .iter()
        .map(|p| (p.kind.as_str().to_string(), p.component.clone()))
        .collect();
    let expect = |kind: &str, component: &str| {
        assert!(
            kinds.contains(&(kind.to_string(), component.to_string())),
            "{kind} {component} not in {kinds:?}"
        );
    };
    expect("malformed-xml", "Broken");
    expect("malformed-xml", "Dtd");
    expect("malformed-xml", "Wrong");
    expect("missing-certificate-file", "NoCrt");
    expect("invalid-certificate", "Garbage");
    expect("invalid-inline-certificate", "Bad");
    expect("unreadable-file", "Huge");
    let dtd = report.problems.iter().find(|p| p.component == "Dtd").unwrap();
    assert!(dtd.value.contains("DOCTYPE is not allowed"), "{}", dtd.value);
    let wrong = report.problems.iter().find(|p| p.component == "Wrong").unwrap();
    assert!(wrong.value.contains("expected <ExternalDataSource>"), "{}", wrong.value);
    // The good file after the bad ones was still read.
    let jwt = report.certificates.iter().find(|c| c.name.as_deref() == Some("Jwt_Signer")).unwrap();
    assert_eq!(jwt.used_by[0].component, "Good");
    // The broken certificates are listed as errors, with the metadata's expiry where known.
    let no_crt = report.certificates.iter().find(|c| c.name.as_deref() == Some("NoCrt")).unwrap();
    assert_eq!(no_crt.status.as_str(), "error");
    assert_eq!(
        no_crt.not_after.map(|t| t.to_rfc3339()).as_deref(),
        Some("2027-01-01T00:00:00+00:00")
    );
    assert!(report.needs_action());
}

#[test]
fn unusable_inputs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    let not_zip = dir.path().join("retrieve.zip");
    std::fs::write(&not_zip, "not a zip").unwrap();
    let cases = [
        (dir.path().join("missing"), "no such file or directory"),
        (dir.path().to_path_buf(), "neither sfdx-project.json"),
        (not_zip, "not a directory or a readable zip"),
    ];
    for (path, expected) in cases {
        let err = ProjectFiles::read(&path).unwrap_err().to_string();
        assert!(err.contains(expected), "{}: {err}", path.display());
    }
}

#[test]
fn a_clean_org_needs_no_action() {
    let project = retrieve(vec![file(
        "dataSources/D.dataSource",
        &format!(
            "<ExternalDataSource {NS}><certificate>Jwt_Signer</certificate></ExternalDataSource>"
        ),
    )]);
    let report = scan_project(&project, None);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(!report.needs_action());
}

#[test]
fn renderings_carry_every_certificate() {
    let report = scan_project(&ProjectFiles::read(&fixture("sfdx/mdapi")).unwrap(), Some(ids()));
    let md = render::markdown(&report, "mdapi");
    assert!(md.starts_with("# Which integrations use which certificate\n"));
    assert!(md.contains("| renew | 20 | 2026-06-21 | SSO_Signing |"), "{md}");
    assert!(md.contains("| IdentityProviderSettings | IdentityProvider | `certificateName` | label | Salesforce signs SAML responses as IdP |"), "{md}");
    let ics = render::icalendar(&report, "mdapi");
    // Every certificate with a date gets one event, three alarms each; the pending CSR has none.
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 6);
    assert_eq!(ics.matches("TRIGGER:-P30D").count(), 6);
    assert!(ics.contains("DTSTART;VALUE=DATE:20260621\r\n"));
    let prom = render::prometheus(&report);
    let sso =
        report.certificates.iter().find(|c| c.name.as_deref() == Some("SSO_Signing")).unwrap();
    assert!(
        prom.contains(&format!(
            "samlkit_certificate_references{{name=\"SSO_Signing\",sha256=\"{}\"}} 3\n",
            sso.sha256.as_deref().unwrap()
        )),
        "{prom}"
    );
    assert!(
        prom.contains(&format!(
            "subject=\"CN=sso.example-org.my.salesforce.com, O=Example Org\"}} {}\n",
            Utc.with_ymd_and_hms(2026, 6, 21, 0, 0, 0).unwrap().timestamp()
        )),
        "{prom}"
    );
}

#[test]
fn merging_keeps_what_people_wrote_and_marks_what_disappeared() {
    let report = scan_project(&ProjectFiles::read(&fixture("sfdx/mdapi")).unwrap(), Some(ids()));
    let first = merge(None, "samlkit.toml", &report, "mdapi").unwrap();
    assert_eq!(first.added.len(), 6, "{:?}", first.added);
    assert_eq!(first.skipped.len(), 1, "the pending CSR: {:?}", first.skipped);
    assert_eq!(first.certificate_files.len(), 6);
    // Someone adds an owner, a warning window, an integration and a hand-written entry.
    let edited = first
        .toml
        .replace("name = \"SSO_Signing\"\n", "name = \"SSO_Signing\"\nowner = \"idm@example.org\"\nwarn_days = 90\nintegrations = [\"Workday (prod)\"]\n")
        + "\n[[certificate]]\nname = \"outside-salesforce\"\ncert = \"certs/other.crt\"\n";
    // The next scan no longer has Old_Unused.
    let mut later = report.clone();
    later.certificates.retain(|c| c.name.as_deref() != Some("Old_Unused"));
    let second = merge(Some(&edited), "samlkit.toml", &later, "mdapi").unwrap();
    assert!(second.added.is_empty());
    assert_eq!(second.removed, ["Old_Unused"]);
    let inventory = Inventory::parse(&second.toml, "samlkit.toml").unwrap();
    let entry = |name: &str| inventory.entries.iter().find(|e| e.name == name).unwrap();
    let sso = entry("SSO_Signing");
    assert_eq!(sso.owner.as_deref(), Some("idm@example.org"));
    assert_eq!(sso.warn_days, Some(90));
    assert_eq!(sso.integrations, ["Workday (prod)"]);
    assert_eq!(sso.metadata_integrations.len(), 3);
    assert_eq!(entry("Old_Unused").removed.as_deref(), Some("not in mdapi at 2026-06-01"));
    assert_eq!(entry("outside-salesforce").removed, None);
    assert_eq!(inventory.entries.len(), 7, "nothing deleted");
}

mod no_panic {
    use super::*;
    use proptest::prelude::*;

    /// Every metadata file of the fixture org, each mutated at one place.
    fn mutated_project(at: usize, with: &[u8]) -> ProjectFiles {
        let mut project = ProjectFiles::read(&fixture("sfdx/mdapi")).unwrap();
        for file in &mut project.files {
            if let Ok(bytes) = &mut file.contents
                && !bytes.is_empty()
            {
                let start = at % bytes.len();
                for (i, b) in with.iter().enumerate() {
                    if let Some(slot) = bytes.get_mut(start + i) {
                        *slot = *b;
                    }
                }
            }
        }
        project
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn mutated_metadata_scans_without_panicking(
            at in any::<usize>(),
            with in proptest::collection::vec(any::<u8>(), 1..16),
        ) {
            let project = mutated_project(at, &with);
            let report = scan_project(&project, Some(ids()));
            let _ = render::markdown(&report, "x");
            let _ = render::icalendar(&report, "x");
            let _ = render::prometheus(&report);
            let _ = merge(None, "f", &report, "x");
        }

        #[test]
        fn arbitrary_text_everywhere(text in "\\PC{0,300}") {
            let files = vec![
                file("sfdx-project.json", &text),
                file("package.xml", &text),
                file("certs/A.crt-meta.xml", &text),
                file("certs/A.crt", &text),
                file("classes/A.cls", &text),
                file("connectedApps/A.connectedApp", &text),
            ];
            if let Ok(project) = ProjectFiles::from_files(files, "x") {
                let _ = scan_project(&project, None);
            }
            let _ = CertificateIds::parse_csv(&text, "x.csv");
            let _ = ProjectFiles::from_zip_bytes(text.as_bytes(), "x.zip");
        }
    }
}
