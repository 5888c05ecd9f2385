//! Exclusive C14N of one whole file into another, streamed (the library half of
//! `samlkit c14n FILE`) or through the tree (`tree`: parse, then canonicalize), ROUNDS times:
//! for timing and profiling the parser and canonicalizer without the CLI around them
//! (`perf stat`, `valgrind --tool=callgrind`; OUT may be /dev/null).
//!
//! `cargo run --release -p samlkit-xml --example c14n_file -- IN OUT [stream|tree] [ROUNDS]`
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Seek;

use samlkit_xml::{
    C14nAlgorithm, Limits, canonicalize, canonicalize_streaming_bytes, parse_bytes_with_limits,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output, rest @ ..] = args.as_slice() else {
        panic!("usage: c14n_file IN OUT [stream|tree] [ROUNDS]");
    };
    let tree = rest.first().is_some_and(|m| m == "tree");
    let repeat: usize = rest.get(1).map_or(1, |n| n.parse().unwrap());
    let bytes = std::fs::read(input).unwrap();
    let mut out = std::fs::File::create(output).unwrap();
    let (limits, alg) = (Limits::default(), C14nAlgorithm::Exclusive);
    for _ in 0..repeat {
        // Every round writes (into the same file, rewound; /dev/null cannot be): the same code
        // runs each time.
        let _ = out.set_len(0).and_then(|()| out.rewind());
        let w = &mut out;
        if tree {
            let doc = parse_bytes_with_limits(&bytes, &limits).unwrap();
            canonicalize(&doc, None, None, alg, &[], w).unwrap();
        } else {
            canonicalize_streaming_bytes(&bytes, &limits, alg, &[], w).unwrap();
        }
    }
}
