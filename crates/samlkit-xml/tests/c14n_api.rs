//! Canonicalization through the library API: document subsets, the enveloped-signature
//! exclusion, the PrefixList, algorithm URIs, streaming and failures.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use samlkit_xml::{C14nAlgorithm, C14nError, XmlError, canonicalize, canonicalize_to_vec, parse};

use C14nAlgorithm::*;

fn c14n(input: &str, id: Option<&str>, alg: C14nAlgorithm, prefixes: &[&str]) -> String {
    let doc = parse(input).unwrap();
    let subset = id.map(|v| doc.element_by_id(v).unwrap());
    String::from_utf8(canonicalize_to_vec(&doc, subset, None, alg, prefixes).unwrap()).unwrap()
}

#[test]
fn whole_document_prolog_epilog_and_escaping() {
    let input = "<?xml version=\"1.0\"?>\r\n<?pi  a\r\nb ?>\n<!--c-->\n<a  z='\"&#9;&#10;&#13;' b = 'x'>&lt;&gt;&amp;&#13;\"'<![CDATA[<&>]]><e/></a>\n<!--d-->\n";
    assert_eq!(
        c14n(input, None, InclusiveWithComments, &[]),
        "<?pi a\nb ?>\n<!--c-->\n<a b=\"x\" z=\"&quot;&#x9;&#xA;&#xD;\">&lt;&gt;&amp;&#xD;\"'&lt;&amp;&gt;<e></e></a>\n<!--d-->"
    );
    assert_eq!(
        c14n(input, None, Inclusive, &[]),
        "<?pi a\nb ?>\n<a b=\"x\" z=\"&quot;&#x9;&#xA;&#xD;\">&lt;&gt;&amp;&#xD;\"'&lt;&amp;&gt;<e></e></a>"
    );
}

#[test]
fn attributes_sort_by_namespace_uri_then_local_name() {
    let input = r#"<a xmlns:z="urn:a" xmlns:b="urn:b" b:x="1" z:y="2" c="3" a="4"/>"#;
    assert_eq!(
        c14n(input, None, Exclusive, &[]),
        r#"<a xmlns:b="urn:b" xmlns:z="urn:a" a="4" c="3" z:y="2" b:x="1"></a>"#
    );
}

const NESTED: &str = r#"<r xmlns="urn:d" xmlns:p="urn:p" xmlns:u="urn:unused" xml:lang="en" xml:space="preserve"><m xml:lang="fr"><p:s ID="s1" a="1"><x/></p:s></m></r>"#;

#[test]
fn inclusive_subset_carries_namespaces_and_xml_attributes() {
    assert_eq!(
        c14n(NESTED, Some("s1"), Inclusive, &[]),
        r#"<p:s xmlns="urn:d" xmlns:p="urn:p" xmlns:u="urn:unused" ID="s1" a="1" xml:lang="fr" xml:space="preserve"><x></x></p:s>"#
    );
}

#[test]
fn exclusive_subset_renders_only_visibly_utilized_namespaces() {
    assert_eq!(
        c14n(NESTED, Some("s1"), Exclusive, &[]),
        r#"<p:s xmlns:p="urn:p" ID="s1" a="1"><x xmlns="urn:d"></x></p:s>"#
    );
    assert_eq!(
        c14n(NESTED, Some("s1"), Exclusive, &["#default", "u", "nosuch"]),
        r#"<p:s xmlns="urn:d" xmlns:p="urn:p" xmlns:u="urn:unused" ID="s1" a="1"><x></x></p:s>"#
    );
}

#[test]
fn default_namespace_undeclaration_only_when_needed() {
    let input = r#"<a xmlns="urn:a"><b xmlns=""><c/></b><d xmlns=""/></a>"#;
    assert_eq!(
        c14n(input, None, Exclusive, &[]),
        r#"<a xmlns="urn:a"><b xmlns=""><c></c></b><d xmlns=""></d></a>"#
    );
    let input = r#"<a><b xmlns=""/></a>"#;
    assert_eq!(c14n(input, None, Inclusive, &[]), "<a><b></b></a>");
    assert_eq!(c14n(input, None, Exclusive, &[]), "<a><b></b></a>");
}

#[test]
fn superfluous_redeclarations_are_dropped() {
    let input = r#"<a xmlns:p="urn:p"><p:b xmlns:p="urn:p"><p:c xmlns:p="urn:other"/></p:b></a>"#;
    assert_eq!(
        c14n(input, None, Inclusive, &[]),
        r#"<a xmlns:p="urn:p"><p:b><p:c xmlns:p="urn:other"></p:c></p:b></a>"#
    );
    assert_eq!(
        c14n(input, None, Exclusive, &[]),
        r#"<a><p:b xmlns:p="urn:p"><p:c xmlns:p="urn:other"></p:c></p:b></a>"#
    );
}

const SIGNED: &str = r##"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">idp</saml:Issuer><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:Reference URI="#_r"/></ds:SignedInfo></ds:Signature><!--note--><samlp:Status/></samlp:Response>"##;

#[test]
fn enveloped_signature_exclusion() {
    let doc = parse(SIGNED).unwrap();
    let response = doc.element_by_id("_r").unwrap();
    let signature = doc
        .node(response)
        .element_children()
        .find(|n| n.local_name() == "Signature")
        .map(|n| n.id())
        .unwrap();
    let out = canonicalize_to_vec(&doc, Some(response), Some(signature), Exclusive, &[]).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        r##"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">idp</saml:Issuer><samlp:Status></samlp:Status></samlp:Response>"##
    );
    let with_comments =
        canonicalize_to_vec(&doc, Some(response), Some(signature), ExclusiveWithComments, &[])
            .unwrap();
    assert!(String::from_utf8(with_comments).unwrap().contains("<!--note--><samlp:Status>"));
    // SignedInfo on its own (what is signed): the ds prefix comes along.
    let signed_info = doc.node(signature).first_element_child().unwrap().id();
    let out = canonicalize_to_vec(&doc, Some(signed_info), None, Exclusive, &[]).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "<ds:SignedInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:Reference URI=\"#_r\"></ds:Reference></ds:SignedInfo>"
    );
    // Excluding the subset root leaves nothing.
    assert!(
        canonicalize_to_vec(&doc, Some(signature), Some(signature), Exclusive, &[])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn algorithm_uris_round_trip() {
    for alg in [Inclusive, InclusiveWithComments, Exclusive, ExclusiveWithComments] {
        assert_eq!(C14nAlgorithm::from_uri(alg.uri()), Some(alg));
    }
    assert_eq!(C14nAlgorithm::from_uri("http://www.w3.org/2006/12/xml-c14n11"), None);
    assert!(Exclusive.is_exclusive() && !Inclusive.is_exclusive());
    assert!(InclusiveWithComments.with_comments() && !Exclusive.with_comments());
}

#[test]
fn streams_into_any_writer_and_reports_write_failures() {
    struct Failing;
    impl std::io::Write for Failing {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let doc = parse("<a>x</a>").unwrap();
    let e = canonicalize(&doc, None, None, Exclusive, &[], &mut Failing).unwrap_err();
    assert_eq!(e, XmlError::C14n(C14nError::Io("disk full".into())));
    // A large document crosses the internal buffer several times.
    let big = format!("<a>{}</a>", "<b c=\"&amp;\">&lt;</b>".repeat(20_000));
    let doc = parse(&big).unwrap();
    let out = canonicalize_to_vec(&doc, None, None, Exclusive, &[]).unwrap();
    assert_eq!(out, big.as_bytes(), "already canonical input comes out unchanged");
}

#[test]
fn rejects_bad_subset_roots_and_relative_namespaces() {
    let doc = parse("<a>text</a>").unwrap();
    let text = doc.node(doc.root_element()).first_child().unwrap().id();
    let e = canonicalize_to_vec(&doc, Some(text), None, Exclusive, &[]).unwrap_err();
    assert!(e.to_string().contains("must be an element"), "{e}");
    let other = parse("<a><b/><c/><d/><e/></a>").unwrap();
    let foreign = other.descendants().last().unwrap().id();
    let e = canonicalize_to_vec(&doc, Some(foreign), None, Exclusive, &[]).unwrap_err();
    assert!(e.to_string().contains("not a node of this document"), "{e}");
    let doc = parse("<a>\n<b xmlns:r=\"relative/uri\"/></a>").unwrap();
    let e = canonicalize_to_vec(&doc, None, None, Inclusive, &[]).unwrap_err();
    assert!(e.to_string().contains("2:4: relative namespace URI \"relative/uri\""), "{e}");
}

#[test]
fn a_long_hostile_prefix_list_is_deduplicated() {
    // A PrefixList comes from the document being verified; repeats and unknown prefixes cost
    // nothing and change nothing.
    let input = r#"<a xmlns:p="urn:p" xmlns:q="urn:q"><b ID="x"><c/></b></a>"#;
    let mut list = vec!["p"; 50_000];
    list.extend(std::iter::repeat_n("nosuch", 50_000));
    assert_eq!(c14n(input, Some("x"), Exclusive, &list), c14n(input, Some("x"), Exclusive, &["p"]));
    assert_eq!(
        c14n(input, Some("x"), Exclusive, &["p"]),
        r#"<b xmlns:p="urn:p" ID="x"><c></c></b>"#
    );
}

/// Red-team regression: a Reference may point at any element, so the apex of an inclusive
/// document subset can sit under hundreds of ancestors each carrying hundreds of distinct
/// `xml:*` attributes. All of them are inherited (the nearest ancestor winning a repeated name)
/// in one linear pass; a pairwise check of every inherited attribute against the ones already
/// collected used to take minutes on such a document.
#[test]
fn many_inherited_xml_attributes_nearest_ancestor_wins() {
    const DEPTH: usize = 200;
    const PER_LEVEL: usize = 100;
    let mut input = String::new();
    for level in 0..DEPTH {
        input.push_str(&format!("<e xml:lang=\"l{level}\""));
        for i in 0..PER_LEVEL {
            input.push_str(&format!(" xml:a{}=\"\"", level * PER_LEVEL + i));
        }
        input.push('>');
    }
    input.push_str(r#"<x ID="t" xml:a0="mine"/>"#);
    input.push_str(&"</e>".repeat(DEPTH));

    let out = c14n(&input, Some("t"), Inclusive, &[]);
    let inherited = out.matches(" xml:").count();
    // Every distinct name once: DEPTH * PER_LEVEL a-names plus xml:lang.
    assert_eq!(inherited, DEPTH * PER_LEVEL + 1, "{}", &out[..200]);
    assert!(out.contains(r#" xml:a0="mine""#), "the apex's own value wins");
    assert!(out.contains(&format!(r#" xml:lang="l{}""#, DEPTH - 1)), "the nearest ancestor wins");
    // Exclusive C14N inherits nothing.
    assert_eq!(c14n(&input, Some("t"), Exclusive, &[]), r#"<x ID="t" xml:a0="mine"></x>"#);
}

/// Inputs of a megabyte and more are split into tokens on a second thread and handed over in
/// batches of a few thousand steps. Across many batches, with no error, an error in the first
/// batch (the tokenizer is then still running and must stop), one near the end (from the
/// builder or from the tokenizer) or a character XML refuses, streaming gives the tree path's
/// bytes or its error, the same as with the tokenizer on the calling thread.
#[test]
fn large_documents_stream_like_the_tree_with_the_tokenizer_on_a_second_thread() {
    use samlkit_xml::{
        Limits, canonicalize_streaming_bytes, canonicalize_streaming_bytes_tokenizing_aside,
        parse_bytes_with_limits,
    };
    let body: String = (0..24_000)
        .map(|i| format!("<p:e b='{i}' a=\"x\" xmlns:q=\"urn:q{i}\" q:z=\"&lt;\">t&amp;{i}<!--c--><![CDATA[<]]></p:e>\n"))
        .collect();
    let whole = format!("<r xmlns:p=\"urn:p\">{body}</r>");
    assert!(whole.len() > 2 << 20, "{} bytes: over the threshold", whole.len());
    let open = &whole[..whole.len() - "</r>".len()];
    let cases = [
        ("valid", whole.clone()),
        ("undeclared prefix at the start", whole.replacen("<p:e b='3'", "<u:e b='3'", 1)),
        ("mismatched end tag at the end", format!("{open}</s>")),
        ("unclosed root", open.to_string()),
        ("tokenizer error at the end", format!("{open}<a b='1'>&bogus</a></r>")),
        ("malformed tag at the end", format!("{open}<a b='1' c></a></r>")),
        // The second thread also looks for characters XML refuses; one found anywhere wins
        // over whatever the builder concluded, as with the check made up front.
        ("a control character at the end", format!("{open}\u{1}</r>")),
        ("U+FFFF at the start", whole.replacen("t&amp;3<", "t&amp;3\u{ffff}<", 1)),
        (
            "a control character after an undeclared prefix",
            format!("{}\u{1f}</r>", &whole.replacen("<p:e b='3'", "<u:e b='3'", 1)[..open.len()]),
        ),
    ];
    let limits = Limits::default();
    for (what, input) in &cases {
        for alg in [Exclusive, InclusiveWithComments] {
            let tree = parse_bytes_with_limits(input.as_bytes(), &limits)
                .and_then(|doc| canonicalize_to_vec(&doc, None, None, alg, &[]));
            let mut out = Vec::new();
            let streamed =
                canonicalize_streaming_bytes(input.as_bytes(), &limits, alg, &[], &mut out)
                    .map(|()| out);
            let mut out = Vec::new();
            let here = canonicalize_streaming_bytes_tokenizing_aside(
                input.as_bytes(),
                &limits,
                alg,
                &[],
                &mut out,
                false,
            )
            .map(|()| out);
            assert!(
                tree == streamed,
                "{what} {alg:?}: tree {:?} vs streamed {:?}",
                tree.as_ref().err(),
                streamed.as_ref().err()
            );
            assert!(here == streamed, "{what} {alg:?}: the tokenizer's thread changed the result");
            assert_eq!(tree.is_ok(), *what == "valid", "{what}: {:?}", tree.err());
            if what.contains("character") || what.contains("U+FFFF") {
                let invalid = matches!(
                    here,
                    Err(XmlError::Parse(samlkit_xml::ParseError::InvalidChar { .. }))
                );
                assert!(invalid, "{what}: {:?}", here.err());
            }
        }
    }
}
