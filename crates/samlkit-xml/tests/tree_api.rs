//! The tree's public API: names and namespaces, attribute values after normalization, text,
//! CDATA kept apart, comments and PIs, positions, byte ranges, IDs and serialization.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use samlkit_xml::{NodeKind, Position, XML_NAMESPACE, parse};

const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";

#[test]
fn names_namespaces_and_attributes() {
    let input = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Issuer xml:lang="en">idp</Issuer><Attribute xsi:type="xs:string" Name="n"/></samlp:Response>"#;
    let doc = parse(input).unwrap();
    let root = doc.node(doc.root_element());
    assert_eq!(root.kind(), NodeKind::Element);
    assert_eq!(root.name(), "samlp:Response");
    assert_eq!(root.prefix(), "samlp");
    assert_eq!(root.local_name(), "Response");
    assert_eq!(root.namespace_uri(), "urn:oasis:names:tc:SAML:2.0:protocol");
    assert_eq!(root.attribute("", "ID"), Some("_r1"));
    assert_eq!(root.attributes().len(), 1, "namespace declarations are not attributes");
    let decls: Vec<_> = root.namespace_declarations().map(|d| (d.prefix, d.uri)).collect();
    assert_eq!(decls.len(), 3);
    assert!(decls.contains(&("", SAML)));

    let issuer = root.first_element_child().unwrap();
    assert!(issuer.has_name(SAML, "Issuer"));
    assert_eq!(issuer.prefix(), "");
    assert_eq!(issuer.attribute(XML_NAMESPACE, "lang"), Some("en"));
    assert_eq!(issuer.lookup_namespace("xsi"), Some("http://www.w3.org/2001/XMLSchema-instance"));
    assert_eq!(issuer.lookup_namespace(""), Some(SAML));
    assert_eq!(issuer.lookup_namespace("xs"), None);
    assert_eq!(issuer.parent_element().map(|p| p.id()), Some(root.id()));
    let in_scope: Vec<_> = issuer.namespaces_in_scope().iter().map(|d| d.prefix).collect();
    assert_eq!(in_scope, ["", "samlp", "xsi"]);
    let undeclared = parse("<a xmlns='urn:a' xmlns:p='urn:p'><b xmlns=''/></a>").unwrap();
    let b = undeclared.node(undeclared.root_element()).first_element_child().unwrap();
    let in_scope: Vec<_> = b.namespaces_in_scope().iter().map(|d| (d.prefix, d.uri)).collect();
    assert_eq!(in_scope, [("p", "urn:p")]);

    let attr = issuer.next_sibling_element().unwrap();
    let a: Vec<_> = attr.attributes().collect();
    assert_eq!(a[0].qname, "xsi:type");
    assert_eq!(a[0].prefix, "xsi");
    assert_eq!(a[0].local_name, "type");
    assert_eq!(a[0].namespace_uri, "http://www.w3.org/2001/XMLSchema-instance");
    assert_eq!(a[0].value, "xs:string");
    assert_eq!(a[1].namespace_uri, "", "unprefixed attributes have no namespace");
    assert_eq!(root.element_children().count(), 2);
    assert_eq!(doc.node(doc.root()).kind(), NodeKind::Document);
}

#[test]
fn line_ends_are_normalized_before_anything_else() {
    let doc = parse("<a b='x\r\ny\rz'>1\r\n2\r3&#13;4&#xD;\r\n</a>").unwrap();
    let a = doc.node(doc.root_element());
    assert_eq!(a.attribute("", "b"), Some("x y z"));
    assert_eq!(a.text_content(), "1\n2\n3\r4\r\n");
}

#[test]
fn attribute_values_are_normalized_per_xml_3_3_3() {
    let doc =
        parse("<a b='\tx\ny&#10;z&#9;w&#13;' c='&lt;&amp;&gt;&quot;&apos;' d=\"  two  spaces \"/>")
            .unwrap();
    let a = doc.node(doc.root_element());
    assert_eq!(a.attribute("", "b"), Some(" x y\nz\tw\r"));
    assert_eq!(a.attribute("", "c"), Some("<&>\"'"));
    assert_eq!(a.attribute("", "d"), Some("  two  spaces "), "CDATA attributes keep their spaces");
}

#[test]
fn text_content_concatenates_all_descendant_text() {
    let doc = parse("<a>ab<!--x-->cd<![CDATA[<ef>]]><b>g<?pi h?></b>&amp;</a>").unwrap();
    let a = doc.node(doc.root_element());
    assert_eq!(a.text_content(), "abcd<ef>g&", "a comment never truncates a value");
    let kinds: Vec<_> = a.children().map(|c| c.kind()).collect();
    assert_eq!(
        kinds,
        [
            NodeKind::Text,
            NodeKind::Comment,
            NodeKind::Text,
            NodeKind::CData,
            NodeKind::Element,
            NodeKind::Text
        ]
    );
    let cdata = a.children().nth(3).unwrap();
    assert_eq!(cdata.text(), Some("<ef>"));
    assert!(!cdata.is_text(), "CDATA stays distinguishable from text");
    let pi = a.children().nth(4).unwrap().children().nth(1).unwrap();
    assert_eq!(pi.kind(), NodeKind::ProcessingInstruction);
    assert_eq!(pi.name(), "pi");
    assert_eq!(pi.text(), Some("h"));
}

#[test]
fn every_node_has_a_position_and_a_byte_range() {
    let input = "<?xml version=\"1.0\"?>\r\n<!-- c -->\n<a>\n  <é>x</é>\r  <b\n   c='1'/>\n</a>";
    let doc = parse(input).unwrap();
    let root = doc.node(doc.root_element());
    assert_eq!(root.position(), Position { line: 3, column: 1 });
    let comment = doc.node(doc.root()).first_child().unwrap();
    assert_eq!(comment.kind(), NodeKind::Comment);
    assert_eq!(comment.position(), Position { line: 2, column: 1 });
    let e = root.first_element_child().unwrap();
    assert_eq!(e.position(), Position { line: 4, column: 3 });
    assert_eq!(&input[e.byte_range()], "<é>x</é>");
    let x = e.first_child().unwrap();
    assert_eq!(x.position(), Position { line: 4, column: 6 }, "columns count characters");
    let b = e.next_sibling_element().unwrap();
    assert_eq!(b.position(), Position { line: 5, column: 3 }, "a lone CR ends a line");
    assert_eq!(&input[b.byte_range()], "<b\n   c='1'/>");
    assert_eq!(&input[root.start_tag_range()], "<a>");
    assert_eq!(&input[root.byte_range()], &input[input.find("<a>").unwrap()..]);
    // Every node's range lies inside its parent's.
    for n in doc.descendants().skip(1) {
        let p = n.parent().unwrap();
        assert!(
            p.byte_range().start <= n.byte_range().start
                && n.byte_range().end <= p.byte_range().end
        );
    }
}

#[test]
fn start_tag_range_skips_gt_inside_values() {
    let input = "<a b='1>2'><c/></a>";
    let doc = parse(input).unwrap();
    assert_eq!(&input[doc.node(doc.root_element()).start_tag_range()], "<a b='1>2'>");
}

#[test]
fn id_index_covers_id_variants_and_reports_duplicates() {
    let doc = parse(r#"<a ID="r"><b Id="x"/><c id="y"/><d ID="dup"/><e id="dup"/><f p:ID="ns" xmlns:p="urn:p"/></a>"#).unwrap();
    let name = |v: &str| doc.element_by_id(v).map(|n| doc.node(n).name());
    assert_eq!(name("r"), Some("a"));
    assert_eq!(name("x"), Some("b"));
    assert_eq!(name("y"), Some("c"));
    assert_eq!(name("dup"), None, "an ambiguous ID resolves to nothing");
    assert_eq!(name("ns"), None, "only unqualified ID attributes count");
    assert_eq!(doc.duplicate_ids(), ["dup".to_string()]);
    let clean = parse("<a ID='1'><b ID='2'/></a>").unwrap();
    assert!(clean.duplicate_ids().is_empty());
}

#[test]
fn descendants_and_contains_follow_document_order() {
    let doc = parse("<a><b><c/></b><d/></a>").unwrap();
    let a = doc.node(doc.root_element());
    let names: Vec<_> = a.descendants().map(|n| n.name()).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    let b = a.first_element_child().unwrap();
    assert_eq!(b.descendants().count(), 2);
    let d = b.next_sibling_element().unwrap();
    assert!(a.contains(d.id()) && !b.contains(d.id()) && b.contains(b.id()));
}

#[test]
fn serialization_round_trips() {
    let input = "<?xml version='1.0'?>\n<?pi data?>\n<!--c1-->\n<p:a xmlns:p='urn:p' xmlns='urn:d' b=\"x&#9;&#10;&#13;&quot;&lt;\" p:c='&amp;'>t&lt;&gt;&#13;<![CDATA[<raw>&]]><!-- in --><e/><?t?></p:a>\n<!--c2-->";
    let doc = parse(input).unwrap();
    let out = doc.to_xml();
    assert_eq!(
        out,
        "<?pi data?>\n<!--c1-->\n<p:a xmlns:p=\"urn:p\" xmlns=\"urn:d\" b=\"x&#x9;&#xA;&#xD;&quot;&lt;\" p:c=\"&amp;\">t&lt;&gt;&#xD;<![CDATA[<raw>&]]><!-- in --><e/><?t?></p:a>\n<!--c2-->"
    );
    let again = parse(&out).unwrap();
    assert_eq!(again.to_xml(), out);
    let a = again.node(again.root_element());
    assert_eq!(a.attribute("", "b"), Some("x\t\n\r\"<"));
    assert_eq!(a.text_content(), "t<>\r<raw>&");
}
