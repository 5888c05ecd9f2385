//! Every parser rule and error, table-driven: each case names the input, the error it must
//! produce (a fragment of the message) and where (the first occurrence of a marker string, so
//! the expected line:column is visible in the table instead of being counted by hand).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use samlkit_xml::{Limits, ParseError, Position, XmlError, parse, parse_bytes, parse_with_limits};

/// 1-based line and column (in characters) of the first occurrence of `marker` in `input`.
/// The marker `$end` stands for the end of the input.
fn position_of(input: &str, marker: &str) -> Position {
    let at = if marker == "$end" { Some(input.len()) } else { input.find(marker) };
    let at = at.unwrap_or_else(|| panic!("marker {marker:?} not in {input:?}"));
    let head = &input[..at];
    let line = head.matches('\n').count() as u32 + 1;
    let line_start = head.rfind('\n').map_or(0, |i| i + 1);
    Position { line, column: head[line_start..].chars().count() as u32 + 1 }
}

struct Case {
    name: &'static str,
    input: &'static str,
    message: &'static str,
    at: &'static str,
}

const CASES: &[Case] = &[
    // No DTD, no entities beyond the predefined five.
    Case {
        name: "doctype",
        input: "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"y\">]>\n<a>&x;</a>",
        message: "DOCTYPE is not allowed",
        at: "<!DOCTYPE",
    },
    Case {
        name: "doctype-system",
        input: "<!DOCTYPE a SYSTEM \"http://evil/x.dtd\"><a/>",
        message: "DOCTYPE is not allowed",
        at: "<!DOCTYPE",
    },
    Case {
        name: "undefined-entity-text",
        input: "<a>\n  x&nbsp;y</a>",
        message: "undefined entity &nbsp;",
        at: "&nbsp;",
    },
    Case {
        name: "undefined-entity-attr",
        input: "<a b='&ext;'/>",
        message: "undefined entity &ext;",
        at: "&ext;",
    },
    Case {
        name: "bad-char-ref",
        input: "<a>&#xZZ;</a>",
        message: "malformed reference \"&#xZZ;\"",
        at: "&#x",
    },
    Case { name: "empty-char-ref", input: "<a>&#;</a>", message: "malformed reference", at: "&#;" },
    Case { name: "unclosed-reference", input: "<a>&amp</a>", message: "not closed", at: "&amp" },
    Case {
        name: "nul-char-ref",
        input: "<a>&#0;</a>",
        message: "invalid XML character U+0000",
        at: "&#0;",
    },
    Case {
        name: "fffe-char-ref",
        input: "<a b='&#xFFFE;'/>",
        message: "invalid XML character U+FFFE",
        at: "&#x",
    },
    Case {
        name: "out-of-range-char-ref",
        input: "<a>&#x110000;</a>",
        message: "invalid XML character U+110000",
        at: "&#x",
    },
    Case {
        name: "surrogate-char-ref",
        input: "<a>&#xD800;</a>",
        message: "invalid XML character U+D800",
        at: "&#x",
    },
    Case {
        name: "control-char",
        input: "<a>\n\u{1}</a>",
        message: "invalid XML character U+0001",
        at: "\u{1}",
    },
    Case {
        name: "ffff-char",
        input: "<a>é\u{FFFF}</a>",
        message: "invalid XML character U+FFFF",
        at: "\u{FFFF}",
    },
    Case {
        name: "control-char-in-comment",
        input: "<a><!--\u{8}--></a>",
        message: "invalid XML character U+0008",
        at: "\u{8}",
    },
    // Tags.
    Case {
        name: "mismatched-end-tag",
        input: "<a>\n  <b></c></a>",
        message: "mismatched end tag: expected </b>, found </c>",
        at: "</c>",
    },
    Case {
        name: "unclosed-element",
        input: "<a>\n  <b>text",
        message: "element <b> is never closed",
        at: "<b>",
    },
    Case { name: "unclosed-root", input: "<a>", message: "element <a> is never closed", at: "<a>" },
    Case {
        name: "end-tag-without-start",
        input: "<a/></b>",
        message: "end tag </b> has no matching start tag",
        at: "</b>",
    },
    Case { name: "unclosed-tag", input: "<a><b", message: "tag not closed", at: "<b" },
    Case {
        name: "unclosed-cdata",
        input: "<a><![CDATA[x</a>",
        message: "CDATA not closed",
        at: "<![CDATA[",
    },
    Case {
        name: "invalid-element-name",
        input: "<a><1b/></a>",
        message: "invalid name \"1b\"",
        at: "1b",
    },
    Case { name: "two-colons", input: "<a:b:c/>", message: "invalid name \"a:b:c\"", at: "a:b:c" },
    Case {
        name: "cdata-end-in-text",
        input: "<a>x]]>y</a>",
        message: "']]>' is not allowed in text",
        at: "]]>",
    },
    Case {
        name: "double-hyphen-comment",
        input: "<a><!-- a -- b --></a>",
        message: "`--`",
        at: "-- b",
    },
    Case {
        name: "comment-ending-in-hyphen",
        input: "<a><!-- a ---></a>",
        message: "--",
        at: "---",
    },
    // Attributes.
    Case {
        name: "attribute-without-value",
        input: "<a b/>",
        message: "attribute \"b\" has no value",
        at: "b/",
    },
    Case { name: "unquoted-attribute", input: "<a b=1/>", message: "must be quoted", at: "1/" },
    Case {
        name: "lt-in-attribute",
        input: "<a b='x<y'/>",
        message: "'<' is not allowed in an attribute value",
        at: "<y",
    },
    Case {
        name: "no-space-between-attributes",
        input: "<a b='1'c='2'/>",
        message: "expected whitespace before an attribute",
        at: "c=",
    },
    Case {
        name: "duplicate-attribute",
        input: "<a b='1' c='2' b='3'/>",
        message: "duplicate attribute \"b\"",
        at: "b='3'",
    },
    Case {
        name: "duplicate-ns-attribute",
        input: "<a xmlns:p='urn:x' xmlns:q='urn:x' p:b='1' q:b='2'/>",
        message: "duplicate attribute \"q:b\"",
        at: "q:b",
    },
    Case {
        name: "duplicate-namespace-declaration",
        input: "<a xmlns:p='urn:x' xmlns:p='urn:y'/>",
        message: "duplicate attribute \"xmlns:p\"",
        at: "xmlns:p='urn:y'",
    },
    // Namespaces.
    Case {
        name: "undeclared-element-prefix",
        input: "<a>\n <p:b/></a>",
        message: "undeclared namespace prefix \"p\"",
        at: "p:b",
    },
    Case {
        name: "undeclared-attribute-prefix",
        input: "<a p:b='1'/>",
        message: "undeclared namespace prefix \"p\"",
        at: "p:b",
    },
    Case {
        name: "prefix-out-of-scope",
        input: "<a><b xmlns:p='urn:p'/><p:c/></a>",
        message: "undeclared namespace prefix \"p\"",
        at: "p:c",
    },
    Case {
        name: "empty-prefixed-namespace",
        input: "<a xmlns:p=''/>",
        message: "xmlns:p=\"\" is not allowed",
        at: "xmlns:p",
    },
    Case {
        name: "rebind-xml-prefix",
        input: "<a xmlns:xml='urn:x'/>",
        message: "the prefix xml cannot be bound to \"urn:x\"",
        at: "xmlns:xml",
    },
    Case {
        name: "empty-declared-prefix",
        input: "<a\n   xmlns:=\"urn:x\"/>",
        message: "2:4: invalid namespace declaration: \"xmlns:\" declares an empty prefix (write xmlns=\"…\" for the default namespace)",
        at: "xmlns:",
    },
    Case {
        name: "declare-xmlns-prefix",
        input: "<a xmlns:xmlns='urn:x'/>",
        message: "the prefix xmlns cannot be declared",
        at: "xmlns:xmlns",
    },
    Case {
        name: "bind-xml-namespace",
        input: "<a xmlns:x='http://www.w3.org/XML/1998/namespace'/>",
        message: "the XML namespace cannot be bound to the prefix x",
        at: "xmlns:x",
    },
    Case {
        name: "default-xml-namespace",
        input: "<a xmlns='http://www.w3.org/XML/1998/namespace'/>",
        message: "cannot be bound to the default namespace",
        at: "xmlns=",
    },
    Case {
        name: "bind-xmlns-namespace",
        input: "<a xmlns:x='http://www.w3.org/2000/xmlns/'/>",
        message: "the xmlns namespace cannot be bound",
        at: "xmlns:x",
    },
    Case {
        name: "invalid-prefix-name",
        input: "<a xmlns:1='urn:x'/>",
        message: "invalid name \"xmlns:1\"",
        at: "xmlns:1",
    },
    // Content outside the root element.
    Case {
        name: "text-before-root",
        input: "  hello<a/>",
        message: "text outside the root element",
        at: "hello",
    },
    Case {
        name: "text-after-root",
        input: "<a/>\nx",
        message: "text outside the root element",
        at: "x",
    },
    Case {
        name: "reference-after-root",
        input: "<a/>&amp;",
        message: "text outside the root element",
        at: "&amp;",
    },
    Case {
        name: "second-root",
        input: "<a/>\n<b/>",
        message: "a second element outside the root element",
        at: "<b/>",
    },
    Case {
        name: "cdata-outside-root",
        input: "<a/><![CDATA[x]]>",
        message: "a CDATA section outside the root element",
        at: "<![CDATA[",
    },
    Case {
        name: "no-root",
        input: "<!-- only a comment -->\n",
        message: "no root element",
        at: "$end",
    },
    // Declaration and processing instructions.
    Case {
        name: "late-xml-declaration",
        input: " <?xml version='1.0'?><a/>",
        message: "only allowed at the very start",
        at: "<?xml",
    },
    Case {
        name: "xml-declaration-in-content",
        input: "<a><?xml version='1.0'?></a>",
        message: "only allowed at the very start",
        at: "<?xml",
    },
    Case {
        name: "reserved-pi-target",
        input: "<a><?XmL x?></a>",
        message: "target 'xml' is reserved",
        at: "<?XmL",
    },
    Case {
        name: "unsupported-version",
        input: "<?xml version='1.1'?><a/>",
        message: "unsupported version \"1.1\"",
        at: "1.1",
    },
    Case {
        name: "declaration-without-version",
        input: "<?xml encoding='UTF-8'?><a/>",
        message: "must start with version",
        at: "encoding",
    },
    Case {
        name: "non-utf8-encoding",
        input: "<?xml version='1.0' encoding='ISO-8859-1'?><a/>",
        message: "unsupported encoding \"ISO-8859-1\"",
        at: "ISO",
    },
];

#[test]
fn each_rule_reports_what_and_where() {
    let mut failures = Vec::new();
    for case in CASES {
        let expected_pos = position_of(case.input, case.at);
        match parse(case.input) {
            Ok(_) => failures.push(format!("{}: parsed, expected an error", case.name)),
            Err(e) => {
                let msg = e.to_string();
                if !msg.contains(case.message) {
                    failures
                        .push(format!("{}: message {msg:?} lacks {:?}", case.name, case.message));
                }
                if e.position() != Some(expected_pos) {
                    failures.push(format!(
                        "{}: at {:?}, expected {expected_pos} ({msg})",
                        case.name,
                        e.position()
                    ));
                }
                if !msg.starts_with(&format!("{expected_pos}: ")) {
                    failures.push(format!(
                        "{}: message {msg:?} must start with the position",
                        case.name
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bytes_must_be_utf8() {
    let e = parse_bytes(b"<a>\n  x\xff</a>").unwrap_err();
    assert_eq!(
        e,
        XmlError::Parse(ParseError::InvalidUtf8 { pos: Position { line: 2, column: 4 } })
    );
    assert_eq!(e.to_string(), "2:4: invalid UTF-8 in the input");
    let e = parse_bytes(b"<a>\xc3</a>").unwrap_err();
    assert!(matches!(e, XmlError::Parse(ParseError::InvalidUtf8 { .. })), "{e}");
}

#[test]
fn non_utf8_byte_order_marks_are_refused() {
    for (bom, name) in [(&[0xFF, 0xFE][..], "UTF-16LE"), (&[0xFE, 0xFF][..], "UTF-16BE")] {
        let mut input = bom.to_vec();
        input.extend_from_slice(b"<\0a\0/\0>\0");
        let e = parse_bytes(&input).unwrap_err();
        assert!(e.to_string().contains(name), "{e}");
        assert!(e.to_string().contains("only UTF-8"), "{e}");
    }
    let e = parse_bytes(b"<\0a\0/\0>\0").unwrap_err();
    assert!(matches!(e, XmlError::Parse(ParseError::UnsupportedEncoding { .. })), "{e}");
}

#[test]
fn utf8_byte_order_mark_and_declarations_are_accepted() {
    for input in [
        "\u{feff}<a/>",
        "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/>",
        "<?xml version='1.0' encoding='utf-8' standalone='yes'?>\r\n<a/>",
        "<?xml version=\"1.0\"?><a/>",
    ] {
        let doc = parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(doc.node(doc.root_element()).name(), "a");
    }
    let doc = parse_bytes(b"\xef\xbb\xbf<a>\xc3\xa9</a>").unwrap();
    assert_eq!(doc.node(doc.root_element()).text_content(), "é");
    assert!(!doc.input().starts_with('\u{feff}'), "the BOM is not part of the parsed text");
}

#[test]
fn declaring_xml_prefix_with_its_own_uri_is_allowed() {
    let doc = parse("<a xmlns:xml='http://www.w3.org/XML/1998/namespace' xml:lang='en'/>").unwrap();
    let a = doc.node(doc.root_element());
    assert_eq!(a.attribute(samlkit_xml::XML_NAMESPACE, "lang"), Some("en"));
}

#[test]
fn undeclaring_the_default_namespace_is_allowed() {
    let doc = parse("<a xmlns='urn:a'><b xmlns=''/></a>").unwrap();
    let b = doc.node(doc.root_element()).first_element_child().unwrap();
    assert_eq!(b.namespace_uri(), "");
}

fn limit_error(input: &str, limits: &Limits) -> (String, Option<Position>) {
    match parse_with_limits(input, limits) {
        Ok(_) => panic!("{input:?} should exceed {limits:?}"),
        Err(e @ XmlError::Parse(ParseError::LimitExceeded { .. })) => (e.to_string(), e.position()),
        Err(e) => panic!("{input:?}: expected a limit error, got {e}"),
    }
}

#[test]
fn limits_are_enforced_with_positions() {
    let deep = "<a><a><a><a></a></a></a></a>";
    let limits = Limits { max_depth: 3, ..Limits::default() };
    let (msg, pos) = limit_error(deep, &limits);
    assert!(msg.contains("nesting depth exceeds the limit of 3"), "{msg}");
    assert_eq!(pos, Some(Position { line: 1, column: 10 }));
    assert!(parse_with_limits("<a><a><a></a></a></a>", &limits).is_ok());

    let limits = Limits { max_attributes_per_element: 2, ..Limits::default() };
    let (msg, pos) = limit_error("<a x='1' y='2' z='3'/>", &limits);
    assert!(msg.contains("attribute count exceeds the limit of 2"), "{msg}");
    assert_eq!(pos, Some(Position { line: 1, column: 16 }));

    let limits = Limits { max_nodes: 4, ..Limits::default() };
    let (msg, _) = limit_error("<a><b/><c/><d/></a>", &limits);
    assert!(msg.contains("node count exceeds the limit of 4"), "{msg}");

    let limits = Limits { max_name_len: 4, ..Limits::default() };
    let (msg, pos) = limit_error("<a>\n<abcde/></a>", &limits);
    assert!(msg.contains("name length exceeds the limit of 4"), "{msg}");
    assert_eq!(pos, Some(Position { line: 2, column: 1 }));
    let (msg, _) = limit_error("<a bcdefg='1'/>", &limits);
    assert!(msg.contains("name length"), "{msg}");

    let limits = Limits { max_input_bytes: 10, ..Limits::default() };
    let (msg, _) = limit_error("<a>0123456789</a>", &limits);
    assert!(msg.contains("input size exceeds the limit of 10"), "{msg}");
}

#[test]
fn many_attributes_duplicate_check_is_not_quadratic_and_still_exact() {
    // Beyond 16 attributes the check sorts; it must still find a late duplicate.
    let mut input = String::from("<a");
    for i in 0..200 {
        input.push_str(&format!(" a{i}='{i}'"));
    }
    input.push_str(" a17='x'/>");
    let e = parse(&input).unwrap_err();
    assert!(e.to_string().contains("duplicate attribute \"a17\""), "{e}");
    let limits = Limits { max_attributes_per_element: 1000, ..Limits::default() };
    let ok = input.replace(" a17='x'", " b='x'");
    assert!(parse_with_limits(&ok, &limits).is_ok());
}

#[test]
fn billion_laughs_is_refused_quickly() {
    let input = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n]>\n<lolz>&lol2;</lolz>";
    let e = parse(input).unwrap_err();
    assert_eq!(e, XmlError::Parse(ParseError::Doctype { pos: Position { line: 2, column: 1 } }));
}
