//! Property tests: canonical output re-parses and is a fixed point (`c14n(parse(c14n(x))) ==
//! c14n(x)`), serialization round-trips, no input — valid, mutated or random — panics, and
//! streaming canonicalization of a whole document gives the tree path's bytes or its error.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use samlkit_xml::{
    C14nAlgorithm, Limits, NodeId, XmlError, canonicalize_streaming_bytes,
    canonicalize_streaming_bytes_tokenizing_aside, canonicalize_to_vec, parse, parse_bytes,
    parse_bytes_with_limits,
};

const ALGS: [C14nAlgorithm; 4] = [
    C14nAlgorithm::Inclusive,
    C14nAlgorithm::InclusiveWithComments,
    C14nAlgorithm::Exclusive,
    C14nAlgorithm::ExclusiveWithComments,
];

#[derive(Debug, Clone)]
enum Item {
    Text(String),
    CData(String),
    Comment(String),
    Pi(String, String),
    Element(Element),
}

#[derive(Debug, Clone)]
struct Element {
    prefix: usize,
    local: String,
    decls: Vec<(usize, usize)>,
    attrs: Vec<(usize, String)>,
    children: Vec<Item>,
}

const PREFIXES: [&str; 3] = ["", "p", "q"];
const URIS: [&str; 4] = ["", "urn:a", "urn:b", "http://example.com/x?y=1&amp;z"];

fn text() -> impl Strategy<Value = String> {
    "[a-z &<>\"'\r\n\t\u{e9}\u{1F600}]{0,8}"
}

fn leaf() -> impl Strategy<Value = Item> {
    prop_oneof![
        text().prop_map(Item::Text),
        "[a-z<>& ]{0,6}".prop_map(Item::CData),
        "[a-z \r\n]{0,5}".prop_map(Item::Comment),
        ("[a-w][a-z]{0,3}", "[a-z \n]{0,5}").prop_map(|(t, d)| Item::Pi(t, d)),
    ]
}

fn element(children: impl Strategy<Value = Vec<Item>>) -> impl Strategy<Value = Element> {
    (
        0..3usize,
        "[a-z][a-z0-9]{0,3}",
        prop::collection::vec((0..3usize, 0..4usize), 0..3),
        prop::collection::vec((0..3usize, text()), 0..4),
        children,
    )
        .prop_map(|(prefix, local, decls, attrs, children)| Element {
            prefix,
            local,
            decls,
            attrs,
            children,
        })
}

fn document() -> impl Strategy<Value = (Vec<Item>, Element, Vec<Item>)> {
    let item = leaf().prop_recursive(5, 40, 5, |inner| {
        element(prop::collection::vec(inner, 0..5)).prop_map(Item::Element)
    });
    let root = element(prop::collection::vec(item, 0..6));
    let misc = prop::collection::vec(
        prop_oneof![
            "[a-z ]{0,5}".prop_map(Item::Comment),
            ("[a-w][a-z]{0,3}", "[a-z ]{0,5}").prop_map(|(t, d)| Item::Pi(t, d)),
        ],
        0..3,
    );
    (misc.clone(), root, misc)
}

fn escape(s: &str, attr: bool) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            // Literal CRs are normalized away; as references they survive.
            '\r' if attr => out.push_str("&#13;"),
            '\t' if attr => out.push_str("&#x9;"),
            c => out.push(c),
        }
    }
    out
}

fn write_item(item: &Item, root: bool, out: &mut String) {
    match item {
        Item::Text(t) => out.push_str(&escape(t, false)),
        Item::CData(t) => out.push_str(&format!("<![CDATA[{t}]]>")),
        Item::Comment(t) => out.push_str(&format!("<!--{t}-->")),
        Item::Pi(t, d) => out.push_str(&format!("<?{t} {d}?>")),
        Item::Element(e) => write_element(e, root, out),
    }
}

fn write_element(e: &Element, root: bool, out: &mut String) {
    let name =
        if e.prefix == 0 { e.local.clone() } else { format!("{}:{}", PREFIXES[e.prefix], e.local) };
    out.push('<');
    out.push_str(&name);
    if root {
        // Every prefix is declared at the root so any use below is bound.
        out.push_str(" xmlns:p=\"urn:a\" xmlns:q=\"urn:b\"");
    }
    let mut declared = Vec::new();
    for &(p, u) in &e.decls {
        if declared.contains(&p) || (root && p != 0) || (p != 0 && u == 0) {
            continue;
        }
        declared.push(p);
        match p {
            0 => out.push_str(&format!(" xmlns=\"{}\"", URIS[u])),
            _ => out.push_str(&format!(" xmlns:{}=\"{}\"", PREFIXES[p], URIS[u])),
        }
    }
    for (i, (p, v)) in e.attrs.iter().enumerate() {
        let prefix = if *p == 0 { String::new() } else { format!("{}:", PREFIXES[*p]) };
        // Distinct local names, so two prefixes bound to one URI never collide.
        out.push_str(&format!(" {prefix}a{i}=\"{}\"", escape(v, true)));
    }
    if e.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for c in &e.children {
        write_item(c, false, out);
    }
    out.push_str(&format!("</{name}>"));
}

fn render((before, root, after): &(Vec<Item>, Element, Vec<Item>)) -> String {
    let mut out = String::from("<?xml version=\"1.0\"?>\r\n");
    for i in before {
        write_item(i, false, &mut out);
        out.push('\n');
    }
    write_element(root, true, &mut out);
    for i in after {
        out.push_str("\r\n");
        write_item(i, false, &mut out);
    }
    out
}

fn c14n(input: &str, subset: Option<NodeId>, alg: C14nAlgorithm) -> Vec<u8> {
    let doc = parse(input).unwrap_or_else(|e| panic!("{e}\n{input}"));
    canonicalize_to_vec(&doc, subset, None, alg, &[]).unwrap_or_else(|e| panic!("{e}\n{input}"))
}

/// The whole document canonicalized by parse-then-canonicalize (the tree path).
fn tree_path(
    bytes: &[u8],
    limits: &Limits,
    alg: C14nAlgorithm,
    prefixes: &[&str],
) -> Result<Vec<u8>, XmlError> {
    let doc = parse_bytes_with_limits(bytes, limits)?;
    canonicalize_to_vec(&doc, None, None, alg, prefixes)
}

/// The same, streamed from the tokenizer.
fn streaming_path(
    bytes: &[u8],
    limits: &Limits,
    alg: C14nAlgorithm,
    prefixes: &[&str],
) -> Result<Vec<u8>, XmlError> {
    let mut out = Vec::new();
    canonicalize_streaming_bytes(bytes, limits, alg, prefixes, &mut out)?;
    Ok(out)
}

/// All paths give the same bytes, or the same error (category, position and message): the
/// tree, streaming, and streaming with the tokenizer on a second thread (large inputs take it;
/// here it is forced).
fn assert_paths_agree(bytes: &[u8], limits: &Limits, alg: C14nAlgorithm, prefixes: &[&str]) {
    let tree = tree_path(bytes, limits, alg, prefixes);
    let mut out = Vec::new();
    let aside =
        canonicalize_streaming_bytes_tokenizing_aside(bytes, limits, alg, prefixes, &mut out, true)
            .map(|()| out);
    for (path, result) in [
        ("streaming", streaming_path(bytes, limits, alg, prefixes)),
        ("streaming, tokenizer aside", aside),
    ] {
        assert_eq!(
            tree,
            result,
            "{alg:?} {prefixes:?} {limits:?}: tree path vs {path} on {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Streaming and the tree give the same canonical bytes for every algorithm and PrefixList.
    #[test]
    fn streaming_equals_the_tree_path(d in document(), listed in prop::sample::subsequence(vec!["#default", "p", "q", "xml", "zz"], 0..=5)) {
        let input = render(&d);
        for alg in ALGS {
            let prefixes: &[&str] = if alg.is_exclusive() { &listed } else { &[] };
            let tree = tree_path(input.as_bytes(), &Limits::default(), alg, prefixes).unwrap();
            let streamed = streaming_path(input.as_bytes(), &Limits::default(), alg, prefixes).unwrap();
            prop_assert_eq!(String::from_utf8(tree).unwrap(), String::from_utf8(streamed).unwrap(), "{:?}\n{}", alg, input);
        }
    }

    /// Tight limits (depth, attributes, nodes, names, size) fail both paths the same way.
    #[test]
    fn streaming_enforces_the_same_limits(d in document(), depth in 1..6usize, attrs in 0..4usize, nodes in 2..40usize, name in 1..6usize, size in 10..400usize) {
        let input = render(&d);
        let limits = Limits { max_depth: depth, max_attributes_per_element: attrs, max_nodes: nodes, max_name_len: name, max_input_bytes: size };
        for alg in ALGS {
            assert_paths_agree(input.as_bytes(), &limits, alg, &["p"]);
        }
    }

    #[test]
    fn canonical_form_reparses_and_is_a_fixed_point(d in document(), pick in any::<prop::sample::Index>()) {
        let input = render(&d);
        let doc = parse(&input).unwrap_or_else(|e| panic!("generated document must parse: {e}\n{input}"));
        let elements: Vec<NodeId> = doc.descendants().filter(|n| n.is_element()).map(|n| n.id()).collect();
        let subset = elements[pick.index(elements.len())];
        for alg in ALGS {
            for root in [None, Some(subset)] {
                let once = canonicalize_to_vec(&doc, root, None, alg, &[]).unwrap();
                let once = String::from_utf8(once).expect("canonical form is UTF-8");
                let twice = c14n(&once, None, alg);
                prop_assert_eq!(once.as_bytes(), &twice[..], "{:?} subset {:?}\n{}", alg, root, input);
            }
        }
    }

    /// With every prefix on the InclusiveNamespaces PrefixList, exclusive C14N renders
    /// namespaces exactly as inclusive C14N does (the generator writes no xml:* attributes,
    /// the only other difference).
    #[test]
    fn exclusive_with_every_prefix_listed_equals_inclusive(d in document(), pick in any::<prop::sample::Index>()) {
        let input = render(&d);
        let doc = parse(&input).unwrap();
        let elements: Vec<NodeId> = doc.descendants().filter(|n| n.is_element()).map(|n| n.id()).collect();
        let subset = elements[pick.index(elements.len())];
        let all = ["#default", "p", "q", "#default"];
        for root in [None, Some(subset)] {
            let inclusive = canonicalize_to_vec(&doc, root, None, C14nAlgorithm::Inclusive, &[]).unwrap();
            let exclusive = canonicalize_to_vec(&doc, root, None, C14nAlgorithm::Exclusive, &all).unwrap();
            prop_assert_eq!(String::from_utf8(inclusive).unwrap(), String::from_utf8(exclusive).unwrap(), "{}", input);
        }
        // The same oracle on the streaming path.
        let inclusive = streaming_path(input.as_bytes(), &Limits::default(), C14nAlgorithm::Inclusive, &[]).unwrap();
        let exclusive = streaming_path(input.as_bytes(), &Limits::default(), C14nAlgorithm::Exclusive, &all).unwrap();
        prop_assert_eq!(inclusive, exclusive, "streaming: {}", input);
    }

    #[test]
    fn serialization_round_trips(d in document()) {
        let input = render(&d);
        let doc = parse(&input).unwrap();
        let written = doc.to_xml();
        for alg in [C14nAlgorithm::InclusiveWithComments, C14nAlgorithm::ExclusiveWithComments] {
            prop_assert_eq!(c14n(&input, None, alg), c14n(&written, None, alg));
        }
    }

    #[test]
    fn mutated_documents_never_panic(d in document(), at in any::<prop::sample::Index>(), byte in any::<u8>(), delete in any::<bool>()) {
        let mut bytes = render(&d).into_bytes();
        let i = at.index(bytes.len() + 1);
        if delete && i < bytes.len() { bytes.remove(i); } else { bytes.insert(i, byte); }
        exercise(&bytes);
    }

    #[test]
    fn random_input_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        exercise(&bytes);
    }

    #[test]
    fn random_markup_never_panics(s in "[<>/?!a-c:=\"' &#;x0-9\\[\\]\r\n-]{0,80}") {
        exercise(s.as_bytes());
    }
}

/// Parses and, when that succeeds, canonicalizes every way there is: errors are fine, panics
/// are not. Whatever the input, streaming gives the tree path's output or error.
fn exercise(bytes: &[u8]) {
    for alg in ALGS {
        assert_paths_agree(bytes, &Limits::default(), alg, &["#default", "p"]);
    }
    if let Ok(doc) = parse_bytes(bytes) {
        let _ = doc.to_xml();
        let last = doc.descendants().last().map(|n| n.id());
        for alg in ALGS {
            for root in [None, Some(doc.root_element()), last] {
                let _ = canonicalize_to_vec(&doc, root, last, alg, &["#default", "p"]);
            }
        }
        for n in doc.descendants() {
            let _ = (n.position(), n.text_content(), n.byte_range(), n.start_tag_range());
        }
    }
}
