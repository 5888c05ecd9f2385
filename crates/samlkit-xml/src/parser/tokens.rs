//! Splitting the text into markup and character data: the events quick-xml's reader gives, at
//! the same offsets and with the same errors, but without its per-event costs (a UTF-8 check of
//! every token — the input is already a `str` — and a copy of every start tag's name).
//!
//! Text, start, empty and end tags, nearly all of a SAML document, are found here directly, with
//! quick-xml's own rules (a tag ends at the first `>` outside quotes; a `&` must reach a `;`
//! before the next `&` or `<`). Everything else (`<!…>`, `<?…?>`) and every malformed tag is
//! handed to a quick-xml reader started at that `<`: its events there do not depend on what came
//! before, so it reports exactly what reading the whole document would have.

use quick_xml::errors::IllFormedError;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::swar::{find_any, find_byte};

/// What a token is. Only the kind and the byte range matter to the builder, which reads names,
/// attributes and contents from the input itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Token {
    /// Character data, references included (the builder decodes them).
    Text,
    Start,
    Empty,
    End,
    CData,
    Comment,
    Pi,
    Decl,
    DocType,
    Eof,
}

/// A tokenizer error: where quick-xml reports it and its message (already cleaned up).
pub(super) type TokenError = (usize, String);

pub(super) struct Tokenizer<'a> {
    input: &'a str,
    pos: usize,
    /// quick-xml reading the whole document, for the one input it treats specially at its very
    /// start: a second byte order mark, which it skips without counting.
    whole: Option<Reader<&'a [u8]>>,
}

/// A quick-xml reader configured the way the builder needs it.
fn reader(input: &str) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(input);
    let config = reader.config_mut();
    // End tags are matched against the builder's own stack (better messages, no extra copies).
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.check_comments = true;
    config.expand_empty_elements = false;
    config.trim_text(false);
    reader
}

impl<'a> Tokenizer<'a> {
    pub(super) fn new(input: &'a str) -> Self {
        let whole = input.starts_with('\u{feff}').then(|| reader(input));
        Tokenizer { input, pos: 0, whole }
    }

    /// The next token and its byte range.
    #[inline]
    pub(super) fn next(&mut self) -> Result<(Token, usize, usize), TokenError> {
        if let Some(reader) = &mut self.whole {
            let start = reader.buffer_position() as usize;
            return match reader.read_event() {
                Ok(event) => Ok((kind(&event), start, reader.buffer_position() as usize)),
                Err(e) => Err((reader.error_position() as usize, clean_error(&e))),
            };
        }
        let bytes = self.input.as_bytes();
        let start = self.pos;
        let Some(&first) = bytes.get(start) else { return Ok((Token::Eof, start, start)) };
        if first != b'<' {
            let end = find_byte(&bytes[start..], b'<').map_or(bytes.len(), |i| start + i);
            check_references(&bytes[start..end], start)?;
            self.pos = end;
            return Ok((Token::Text, start, end));
        }
        let kind = match bytes.get(start + 1) {
            Some(b'/') => Token::End,
            Some(b'!' | b'?') | None => return self.delegate(start),
            Some(_) => Token::Start,
        };
        let Some(gt) = tag_end(&bytes[start..]) else { return self.delegate(start) };
        let end = start + gt + 1;
        self.pos = end;
        let kind = if kind == Token::Start && bytes[end - 2] == b'/' { Token::Empty } else { kind };
        Ok((kind, start, end))
    }

    /// Where the next token starts if it is a start (or empty) tag read the ordinary way: the
    /// builder may then scan it itself ([`super::elements::quick_start_tag`]) and
    /// [`Tokenizer::skip_to`] its end.
    #[inline]
    pub(super) fn start_tag_next(&self) -> Option<usize> {
        let bytes = self.input.as_bytes();
        let next = *bytes.get(self.pos + 1)?;
        (self.whole.is_none() && bytes[self.pos] == b'<' && !matches!(next, b'/' | b'!' | b'?'))
            .then_some(self.pos)
    }

    /// Continues after a token the builder read itself.
    #[inline]
    pub(super) fn skip_to(&mut self, end: usize) {
        self.pos = end;
    }

    /// One token read by quick-xml from `at` (a `<`).
    #[cold]
    fn delegate(&mut self, at: usize) -> Result<(Token, usize, usize), TokenError> {
        let mut reader = reader(self.input.get(at..).unwrap_or(""));
        match reader.read_event() {
            Ok(event) => {
                let end = at + reader.buffer_position() as usize;
                self.pos = end;
                Ok((kind(&event), at, end))
            }
            Err(e) => Err((at + reader.error_position() as usize, clean_error(&e))),
        }
    }
}

fn kind(event: &Event<'_>) -> Token {
    match event {
        Event::Text(_) | Event::GeneralRef(_) => Token::Text,
        Event::Start(_) => Token::Start,
        Event::Empty(_) => Token::Empty,
        Event::End(_) => Token::End,
        Event::CData(_) => Token::CData,
        Event::Comment(_) => Token::Comment,
        Event::PI(_) => Token::Pi,
        Event::Decl(_) => Token::Decl,
        Event::DocType(_) => Token::DocType,
        Event::Eof => Token::Eof,
    }
}

/// The offset of the `>` that ends a tag starting at `tag[0]`: the first one outside single or
/// double quotes (quick-xml's rule, so `<a b=">">` is one tag).
#[inline]
fn tag_end(tag: &[u8]) -> Option<usize> {
    let mut i = 0;
    loop {
        i += find_any(tag.get(i..)?, b">'\"")?;
        let quote = tag[i];
        if quote == b'>' {
            return Some(i);
        }
        i += 1;
        i += find_byte(tag.get(i..)?, quote)? + 1;
    }
}

/// quick-xml refuses a `&` that does not reach a `;` before the next `&`, `<` or the end of the
/// input (text ends at a `<` or the end, so only `&` and `;` need looking at).
#[inline]
fn check_references(text: &[u8], base: usize) -> Result<(), TokenError> {
    let Some(mut amp) = find_byte(text, b'&') else { return Ok(()) };
    loop {
        match find_any(&text[amp + 1..], b";&") {
            Some(i) if text[amp + 1 + i] == b';' => {
                let after = amp + 2 + i;
                match find_byte(&text[after..], b'&') {
                    Some(j) => amp = after + j,
                    None => return Ok(()),
                }
            }
            _ => {
                let e = quick_xml::Error::IllFormed(IllFormedError::UnclosedReference);
                return Err((base + amp, clean_error(&e)));
            }
        }
    }
}

fn clean_error(e: &quick_xml::Error) -> String {
    let msg = e.to_string();
    let msg = msg.trim_start_matches("ill-formed document: ").trim_start_matches("syntax error: ");
    if msg.starts_with("unknown or missed symbol in markup") {
        // `<!ENTITY`, `<!ELEMENT`, `<!ATTLIST`, … outside a DOCTYPE.
        return "unsupported markup declaration `<!…>`: DTD constructs are not allowed".to_string();
    }
    msg.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every token (kind and range) and the error, if any, as quick-xml reading the whole
    /// input gives them.
    fn quick_xml_tokens(input: &str) -> (Vec<(Token, usize, usize)>, Option<TokenError>) {
        let mut r = reader(input);
        let mut out = Vec::new();
        loop {
            let start = r.buffer_position() as usize;
            match r.read_event() {
                Ok(Event::Eof) => return (out, None),
                Ok(e) => out.push((kind(&e), start, r.buffer_position() as usize)),
                Err(e) => return (out, Some((r.error_position() as usize, clean_error(&e)))),
            }
        }
    }

    fn our_tokens(input: &str) -> (Vec<(Token, usize, usize)>, Option<TokenError>) {
        let mut t = Tokenizer::new(input);
        let mut out = Vec::new();
        loop {
            match t.next() {
                Ok((Token::Eof, ..)) => return (out, None),
                Ok(tok) => out.push(tok),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    /// Merges adjacent text tokens (quick-xml splits text at references; the builder joins
    /// them back), so the two token lists compare as the builder sees them.
    /// Text right before an error is dropped too: the builder only records where text is and
    /// looks at it at the next markup, which an error never reaches.
    fn merged(
        (tokens, err): (Vec<(Token, usize, usize)>, Option<TokenError>),
    ) -> (Vec<(Token, usize, usize)>, Option<TokenError>) {
        let mut out: Vec<(Token, usize, usize)> = Vec::new();
        for t in tokens {
            match (out.last_mut(), t) {
                (Some((Token::Text, _, end)), (Token::Text, s, e)) if *end == s => *end = e,
                _ => out.push(t),
            }
        }
        if err.is_some() && out.last().is_some_and(|t| t.0 == Token::Text) {
            out.pop();
        }
        (out, err)
    }

    #[test]
    fn tokens_and_errors_match_quick_xml() {
        let cases = [
            "",
            "<a/>",
            "<a>x</a>",
            "<a b='>' c=\"'>\">t&amp;u&#x20;</a >",
            "<a b='x>",
            "<a b=\"x>",
            "<a",
            "<",
            "x<",
            "</a",
            "</a b='>'>",
            "<a>&</a>",
            "<a>&amp</a>",
            "<a>&amp &lt;</a>",
            "<a>&a;&</a>",
            "<a>x&",
            "<a>x&y;",
            "<a>x&y;z&",
            "<?xml version='1.0'?><!--c--><a><![CDATA[<>]]><?p d?></a>",
            "<!DOCTYPE a><a/>",
            "<!-- a -- b --><a/>",
            "<!ENTITY x 'y'><a/>",
            "<a><!x></a>",
            "<a><?x</a>",
            "<a><!--x</a>",
            "<a><![CDATA[x</a>",
            "<>",
            "</>",
            "<a/ >",
            "<a//>",
            "\u{feff}<a/>",
            "\u{feff}\u{feff}<a/>",
            "\u{feff}x<a/>",
            "<a>\u{feff}</a>",
            "<a>é&amp;ü<b c='ö'/></a>",
        ];
        for input in cases {
            assert_eq!(merged(our_tokens(input)), merged(quick_xml_tokens(input)), "{input:?}");
        }
    }

    /// Every string over the bytes markup is made of, up to length 5: the tokenizer agrees with
    /// quick-xml on all of them.
    #[test]
    fn tokens_match_quick_xml_on_every_short_input() {
        let alphabet = ["<", ">", "/", "!", "?", "'", "\"", "&", ";", "a", " ", "-", "["];
        crate::parser::for_each_concatenation(&alphabet, 5, |input| {
            assert_eq!(merged(our_tokens(input)), merged(quick_xml_tokens(input)), "{input:?}");
        });
    }
}
