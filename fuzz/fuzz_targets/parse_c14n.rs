//! Parses arbitrary bytes and, when they form a document, canonicalizes it every way samlkit
//! can: four algorithms, whole document and subsets, with and without an excluded element,
//! with a PrefixList, plus serialization. Any panic, overflow or hang is a finding; beyond not
//! crashing, the canonical form must re-parse and be a fixed point, and streaming
//! canonicalization must give the tree path's bytes, or its error, for every input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use samlkit_xml::{
    C14nAlgorithm, Limits, canonicalize_streaming_bytes,
    canonicalize_streaming_bytes_tokenizing_aside, canonicalize_to_vec, parse,
    parse_bytes_with_limits,
};

const ALGS: [C14nAlgorithm; 4] = [
    C14nAlgorithm::Inclusive,
    C14nAlgorithm::InclusiveWithComments,
    C14nAlgorithm::Exclusive,
    C14nAlgorithm::ExclusiveWithComments,
];

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_depth: 64, max_nodes: 10_000, ..Limits::default() };
    // Both paths, on every input (also the malformed ones): same bytes or the same error.
    for alg in ALGS {
        let prefixes: &[&str] = if data.len() % 3 == 0 { &[] } else { &["#default", "p", "ds"] };
        let tree = parse_bytes_with_limits(data, &limits)
            .and_then(|doc| canonicalize_to_vec(&doc, None, None, alg, prefixes));
        let mut out = Vec::new();
        let streamed =
            canonicalize_streaming_bytes(data, &limits, alg, prefixes, &mut out).map(|()| out);
        assert_eq!(tree, streamed, "streaming == tree path ({alg:?})");
    }
    // The tokenizer on a second thread (what inputs of a megabyte and more get) changes nothing.
    let alg = ALGS[data.len() % ALGS.len()];
    let tree = parse_bytes_with_limits(data, &limits)
        .and_then(|doc| canonicalize_to_vec(&doc, None, None, alg, &[]));
    let mut out = Vec::new();
    let aside =
        canonicalize_streaming_bytes_tokenizing_aside(data, &limits, alg, &[], &mut out, true)
            .map(|()| out);
    assert_eq!(tree, aside, "streaming with the tokenizer aside == tree path ({alg:?})");
    let Ok(doc) = parse_bytes_with_limits(data, &limits) else { return };
    let _ = doc.to_xml();
    let elements: Vec<_> = doc.descendants().filter(|n| n.is_element()).map(|n| n.id()).collect();
    let pick = |k: usize| elements.get(data.len().wrapping_mul(k) % elements.len().max(1)).copied();
    for n in doc.descendants() {
        let _ = (n.position(), n.text_content(), n.byte_range(), n.start_tag_range());
    }
    // Oracle: for the whole document, exclusive C14N with every prefix on the PrefixList renders
    // namespaces exactly as inclusive C14N does.
    let mut every: Vec<&str> = vec!["#default"];
    for n in doc.descendants() {
        every.extend(n.namespace_declarations().map(|d| d.prefix).filter(|p| !p.is_empty()));
    }
    if let (Ok(a), Ok(b)) = (
        canonicalize_to_vec(&doc, None, None, C14nAlgorithm::Inclusive, &[]),
        canonicalize_to_vec(&doc, None, None, C14nAlgorithm::Exclusive, &every),
    ) {
        assert_eq!(a, b, "exclusive with every prefix listed == inclusive");
    }
    for alg in ALGS {
        for (root, excluded) in [(None, None), (pick(7), None), (pick(3), pick(11))] {
            let prefixes: &[&str] =
                if data.len() % 2 == 0 { &[] } else { &["#default", "p", "ds"] };
            let Ok(out) = canonicalize_to_vec(&doc, root, excluded, alg, prefixes) else {
                continue;
            };
            if out.is_empty() {
                continue;
            }
            // The canonical form of a subset (without exclusions or a PrefixList) is itself a
            // document whose canonical form is the same bytes.
            if excluded.is_none() && prefixes.is_empty() {
                let text = std::str::from_utf8(&out).expect("canonical form is UTF-8");
                let again = parse(text).expect("canonical form re-parses");
                let twice =
                    canonicalize_to_vec(&again, None, None, alg, &[]).expect("re-canonicalizes");
                assert_eq!(out, twice, "c14n(parse(c14n(x))) == c14n(x)");
            }
        }
    }
});
