//! Reading a large document (a canonicalizer input of many megabytes) into memory that
//! transparent huge pages can back: for a 10 MB file the kernel then fills a handful of 2 MiB
//! pages instead of faulting in (and zeroing) some 2,500 pages of 4 KiB one by one, which cost
//! more than the copy itself (`samlkit c14n` of a 10.5 MB document: the read took a fifth of
//! the process). Small inputs, standard input and anything unusual take the ordinary path,
//! [`crate::io::read_input`], with the same limits and messages.

use std::io::Read;
use std::ops::Deref;
use std::path::Path;

use crate::error::CliError;
use crate::io::InputLimit;

/// Below this a heap buffer costs no more.
const HUGE_PAGES_FROM: u64 = 4 << 20;

/// An input's bytes: on the heap, or in an anonymous mapping advised to use huge pages.
pub(crate) enum InputBytes {
    Heap(Vec<u8>),
    Mapped { map: memmap2::MmapMut, len: usize },
}

impl Deref for InputBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            InputBytes::Heap(bytes) => bytes,
            InputBytes::Mapped { map, len } => map.get(..*len).unwrap_or_default(),
        }
    }
}

/// [`crate::io::read_input`] for inputs that may be large: the same bytes, limits and errors.
/// The file is opened and looked at once, whichever way it is then read.
pub(crate) fn read_large_input(path: &str, limit: InputLimit) -> Result<InputBytes, CliError> {
    if path == "-" {
        return crate::io::read_input(path, limit).map(InputBytes::Heap);
    }
    let shown = Path::new(path);
    let cannot_read = |e: std::io::Error| CliError::input(crate::io::cannot_read(shown, &e));
    let mut file = std::fs::File::open(shown).map_err(cannot_read)?;
    let expected = file.metadata().map_err(cannot_read)?.len();
    if (HUGE_PAGES_FROM..=limit.bytes).contains(&expected) {
        match read_into_huge_pages(&mut file, expected).map_err(cannot_read)? {
            Some(bytes) => return Ok(bytes),
            // The file grew while read (or no mapping could be made): read it again the
            // ordinary way, which also refuses it if it is now over the limit.
            None => return crate::io::read_input(path, limit).map(InputBytes::Heap),
        }
    }
    crate::io::read_opened_file(shown, file, limit, Some(expected))
        .map(InputBytes::Heap)
        .map_err(CliError::input)
}

/// The file's `expected` bytes in a mapping sized from that length, or `None` when the
/// ordinary path should read it (one that grew while read, a system without the mapping).
fn read_into_huge_pages(
    file: &mut std::fs::File,
    expected: u64,
) -> std::io::Result<Option<InputBytes>> {
    let Ok(capacity) = usize::try_from(expected + 1) else { return Ok(None) };
    let Ok(mut map) = memmap2::MmapMut::map_anon(capacity) else { return Ok(None) };
    // Only advice: without huge pages the mapping still works, page by page.
    #[cfg(target_os = "linux")]
    let _ = map.advise(memmap2::Advice::HugePage);
    let mut len = 0;
    while let Some(free) = map.get_mut(len..).filter(|free| !free.is_empty()) {
        match file.read(free) {
            Ok(0) => return Ok(Some(InputBytes::Mapped { map, len })),
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    // Full: the file grew after its length was read.
    Ok(None)
}
