//! The token stream as the builder takes it, read on the builder's own thread or, for a large
//! input, on a second one that runs ahead of it.
//!
//! Splitting the text into tokens (and scanning ordinary start tags into their attributes)
//! depends on nothing but the text: not on namespaces, the open elements or anything else the
//! builder keeps. So another thread can do it in advance and hand the builder the very steps it
//! would have found itself, in batches, while the builder does the rest (namespaces,
//! well-formedness, the tree or the canonical output). On two cores the tokenizing then costs
//! next to no wall time.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::RawAttr;
use super::elements::quick_start_tag;
use super::tokens::{Token, TokenError, Tokenizer};
use crate::chars::find_invalid_char;

/// From this input size on, tokenizing on a second thread pays for starting it.
pub(super) const ASIDE_FROM: usize = 1 << 20;

/// One step: a start tag scanned in one pass (its attributes then in
/// [`Steps::quick_attributes`]), or a token of the general path.
pub(super) enum Step {
    Quick { start: usize, end: usize, empty: bool },
    Token(Result<(Token, usize, usize), TokenError>),
}

/// Where the builder's steps come from.
pub(super) trait Steps<'a> {
    /// The next step.
    fn next_step(&mut self) -> Step;
    /// The attributes of the last [`Step::Quick`], lent rather than copied.
    fn quick_attributes(&self) -> &[RawAttr<'a>];
}

/// Tokenizing on the calling thread.
pub(super) struct Inline<'a> {
    input: &'a str,
    tokens: Tokenizer<'a>,
    attrs: Vec<RawAttr<'a>>,
    max_attributes: usize,
    /// Whether start tags may take [`quick_start_tag`] (off only in tests, to compare).
    quick_tags: bool,
}

impl<'a> Inline<'a> {
    pub(super) fn new(input: &'a str, max_attributes: usize, quick_tags: bool) -> Self {
        let tokens = Tokenizer::new(input);
        Inline { input, tokens, attrs: Vec::new(), max_attributes, quick_tags }
    }
}

impl<'a> Steps<'a> for Inline<'a> {
    #[inline]
    fn next_step(&mut self) -> Step {
        // Start tags as nearly all are written: scanned once, attributes and end together
        // (the general path finds the end, then the builder scans the attributes).
        if let Some(start) = self.tokens.start_tag_next().filter(|_| self.quick_tags) {
            self.attrs.clear();
            if let Some((end, empty)) =
                quick_start_tag(self.input, start, self.max_attributes, &mut self.attrs)
            {
                self.tokens.skip_to(end);
                return Step::Quick { start, end, empty };
            }
        }
        Step::Token(self.tokens.next())
    }

    fn quick_attributes(&self) -> &[RawAttr<'a>] {
        &self.attrs
    }
}

/// A step as a batch records it (the attributes of quick tags kept in the batch, in order).
/// Offsets fit in 32 bits: the parser refuses inputs of 2 GiB and more.
#[derive(Clone, Copy)]
enum Recorded {
    Quick {
        start: u32,
        end: u32,
        empty: bool,
        attrs: u32,
    },
    Token(Token, u32, u32),
    /// The tokenizer's error, which is the batch's `error`: the last step there is.
    Error,
}

/// Steps found by the tokenizing thread, handed over together.
struct Batch<'a> {
    steps: Vec<Recorded>,
    attrs: Vec<RawAttr<'a>>,
    error: Option<TokenError>,
}

impl Batch<'_> {
    /// Steps per batch: few enough to be handed on quickly, many enough that the handing
    /// costs little.
    const STEPS: usize = 4096;

    /// Batches in circulation: one being filled, one being read, the rest waiting.
    const POOL: usize = 4;

    fn new() -> Self {
        // Typical markup has an attribute or two per step: room for that from the start.
        let attrs = Vec::with_capacity(Self::STEPS * 2);
        Batch { steps: Vec::with_capacity(Self::STEPS), attrs, error: None }
    }
}

/// Tokenizing on a second thread: the builder's side.
pub(super) struct Aside<'a> {
    batch: Batch<'a>,
    next_step: usize,
    /// The attributes of the step taken last: `batch.attrs[quick_from..next_attr]`.
    quick_from: usize,
    next_attr: usize,
    full: Receiver<Batch<'a>>,
    emptied: SyncSender<Batch<'a>>,
}

/// The tokenizing thread's side: [`Ahead::run`] it on the second thread.
pub(super) struct Ahead<'a> {
    inline: Inline<'a>,
    full: SyncSender<Batch<'a>>,
    emptied: Receiver<Batch<'a>>,
}

/// The two ends of a token stream read on a second thread.
pub(super) fn aside<'a>(inline: Inline<'a>) -> (Aside<'a>, Ahead<'a>) {
    // A fixed pool of batches goes round: the tokenizer runs ahead by at most the pool, and
    // nothing is allocated after the start. (With the thread, `samlkit c14n` of a 10.5 MB
    // document peaks 1.6 MiB higher.)
    let (full, full_rx) = sync_channel(Batch::POOL);
    let (emptied_tx, emptied) = sync_channel(Batch::POOL);
    for _ in 0..Batch::POOL {
        let _ = emptied_tx.try_send(Batch::new());
    }
    let placeholder = Batch { steps: Vec::new(), attrs: Vec::new(), error: None };
    let builder_side = Aside {
        batch: placeholder,
        next_step: 0,
        quick_from: 0,
        next_attr: 0,
        full: full_rx,
        emptied: emptied_tx,
    };
    (builder_side, Ahead { inline, full, emptied })
}

impl Ahead<'_> {
    /// Tokenizes to the end (or the first error), sending each full batch, and stops early
    /// when the builder has stopped listening. Meanwhile, and then to the end of the input,
    /// looks for the first character XML does not allow: that is the answer.
    pub(super) fn run(mut self) -> Option<(usize, u32)> {
        let input = self.inline.input;
        // The text before `checked` holds no character XML refuses.
        let mut checked = 0;
        while let Ok(mut batch) = self.emptied.recv() {
            let mut last = false;
            while batch.steps.len() < Batch::STEPS && !last {
                let recorded = match self.inline.next_step() {
                    Step::Quick { start, end, empty } => {
                        batch.attrs.extend_from_slice(self.inline.quick_attributes());
                        let attrs = batch.attrs.len() as u32;
                        Recorded::Quick { start: start as u32, end: end as u32, empty, attrs }
                    }
                    Step::Token(Ok((token, start, end))) => {
                        last = token == Token::Eof;
                        Recorded::Token(token, start as u32, end as u32)
                    }
                    Step::Token(Err(e)) => {
                        batch.error = Some(e);
                        last = true;
                        Recorded::Error
                    }
                };
                batch.steps.push(recorded);
            }
            // Up to the last token's start: a character is never split, and the rest of the
            // input is checked at the end.
            let to = match batch.steps.last() {
                Some(Recorded::Quick { start, .. } | Recorded::Token(_, start, _)) => {
                    *start as usize
                }
                _ => checked,
            };
            if let Some(found) = check_up_to(input, &mut checked, to) {
                // The builder's outcome does not count any more: nothing more to tokenize.
                return Some(found);
            }
            if self.full.send(batch).is_err() || last {
                break;
            }
        }
        check_up_to(input, &mut checked, input.len())
    }
}

/// The first character XML refuses between `checked` and `to`, moving `checked` on to `to`.
/// A range that is not one of the text's (never the case: tokens start on characters) is left
/// for a later call, which goes to the end of the text.
fn check_up_to(input: &str, checked: &mut usize, to: usize) -> Option<(usize, u32)> {
    let text = input.get(*checked..to)?;
    let found = find_invalid_char(text).map(|(at, code)| (*checked + at, code));
    *checked = to;
    found
}

impl<'a> Steps<'a> for Aside<'a> {
    #[inline]
    fn next_step(&mut self) -> Step {
        if self.next_step == self.batch.steps.len() {
            let Ok(next) = self.full.recv() else {
                // The tokenizing thread ends only after its last step (an end of input or an
                // error), which ends the builder: it cannot be gone while steps are wanted
                // unless it panicked.
                return Step::Token(Err((0, "the tokenizing thread stopped".to_string())));
            };
            let mut done = std::mem::replace(&mut self.batch, next);
            done.steps.clear();
            done.attrs.clear();
            // The first batch taken replaces an empty placeholder that never went round.
            if done.steps.capacity() > 0 {
                let _ = self.emptied.try_send(done);
            }
            self.next_step = 0;
            self.next_attr = 0;
        }
        let recorded = self.batch.steps[self.next_step];
        self.next_step += 1;
        match recorded {
            Recorded::Quick { start, end, empty, attrs: attrs_end } => {
                self.quick_from = self.next_attr;
                self.next_attr = attrs_end as usize;
                Step::Quick { start: start as usize, end: end as usize, empty }
            }
            Recorded::Token(token, start, end) => {
                Step::Token(Ok((token, start as usize, end as usize)))
            }
            Recorded::Error => Step::Token(Err(self
                .batch
                .error
                .take()
                .unwrap_or_else(|| (0, "the tokenizing thread stopped".to_string())))),
        }
    }

    fn quick_attributes(&self) -> &[RawAttr<'a>] {
        self.batch.attrs.get(self.quick_from..self.next_attr).unwrap_or(&[])
    }
}
