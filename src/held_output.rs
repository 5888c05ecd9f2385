//! Output held back until it has proved good: `samlkit c14n` writes nothing at all to a pipe or
//! terminal when the document turns out malformed, however far into it the error comes, yet
//! must not hold a canonical form of many megabytes in memory beside its input.

use std::fs::File;
use std::io::Write;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// Output held back until the whole document has proved valid, with bounded memory: the latest
/// bytes in a buffer, everything before them in an anonymous temporary file (unlinked from the
/// start, so nothing is left behind however the process ends). A second thread writes the full
/// buffers into the file while the canonicalizer goes on (on two or more cores that writing
/// then costs no wall time). If no temporary file can be made, the output is held in memory.
#[derive(Default)]
pub(crate) struct HeldOutput {
    buffer: Vec<u8>,
    spill: Option<Spill>,
    /// Set once creating the temporary file failed: hold everything in memory from then on.
    memory_only: bool,
}

/// Where full buffers go.
enum Spill {
    /// To the writer thread, which hands each emptied buffer back for reuse and returns the
    /// file when the channel closes.
    Thread { full: SyncSender<Vec<u8>>, emptied: Receiver<Vec<u8>>, writer: JoinHandle<Written> },
    /// Into the file from this thread (no thread could be started).
    Here(File),
}

type Written = std::io::Result<File>;

impl HeldOutput {
    /// Bytes gathered in memory before they go to the temporary file. With one buffer being
    /// filled, one queued and one being written, at most three are alive: 1.5 MiB.
    const CHUNK: usize = 512 * 1024;
    /// The pipe size asked for: the unprivileged maximum on Linux.
    const PIPE: usize = 1 << 20;

    /// Sends the buffer to the temporary file, setting that up the first time.
    fn spill(&mut self) -> std::io::Result<()> {
        if self.spill.is_none() {
            let Ok(file) = tempfile::tempfile() else {
                self.memory_only = true;
                return Ok(());
            };
            self.spill = Some(start_writer(file)?);
        }
        match &mut self.spill {
            Some(Spill::Thread { full, emptied, .. }) => {
                let next = emptied.try_recv().unwrap_or_else(|_| Vec::with_capacity(Self::CHUNK));
                let chunk = std::mem::replace(&mut self.buffer, next);
                if full.send(chunk).is_err() {
                    // The writer stopped on an error: collect it.
                    return self.finish_spill().map(drop);
                }
            }
            Some(Spill::Here(file)) => {
                file.write_all(&self.buffer)?;
                self.buffer.clear();
            }
            None => {}
        }
        Ok(())
    }

    /// Waits for the writer to finish and returns the temporary file (positioned at its end).
    fn finish_spill(&mut self) -> std::io::Result<Option<File>> {
        match self.spill.take() {
            None => Ok(None),
            Some(Spill::Here(file)) => Ok(Some(file)),
            Some(Spill::Thread { full, writer, .. }) => {
                drop(full);
                match writer.join() {
                    Ok(written) => written.map(Some),
                    Err(_) => Err(std::io::Error::other("the output writer thread failed")),
                }
            }
        }
    }

    /// When more than a pipe's default 64 KiB is held and standard output is a pipe, asks for
    /// a pipe of 1 MiB: the output then goes out in a dozen writes instead of waking the reader
    /// and waiting for it 160 times. Only a request: a refusal changes nothing.
    fn widen_pipe(&self) {
        #[cfg(target_os = "linux")]
        if self.spill.is_some() || self.buffer.len() > 64 * 1024 {
            let _ = rustix::pipe::fcntl_setpipe_size(std::io::stdout(), Self::PIPE);
        }
    }

    /// Writes everything held, in order, into standard output (widening it first if it is a
    /// pipe and much is held).
    pub(crate) fn release_into(mut self, out: &mut std::io::StdoutLock<'_>) -> std::io::Result<()> {
        self.widen_pipe();
        if let Some(mut file) = self.finish_spill()? {
            use std::io::{Seek, SeekFrom};
            file.seek(SeekFrom::Start(0))?;
            out.flush()?;
            send_file(&mut file, out)?;
        }
        out.write_all(&self.buffer)
    }
}

/// Copies the rest of `file` into standard output: inside the kernel where it can (`sendfile`
/// hands the file's cached pages to a pipe without copying them through this process), else
/// through a buffer.
fn send_file(file: &mut File, out: &mut std::io::StdoutLock<'_>) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    loop {
        match rustix::fs::sendfile(&*out, &*file, None, HeldOutput::PIPE) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => {}
            Err(rustix::io::Errno::PIPE) => return Err(std::io::ErrorKind::BrokenPipe.into()),
            // Not possible between these two (an old kernel, a non-blocking descriptor): the
            // file position is where the last transfer left it, so the buffer takes over.
            Err(_) => break,
        }
    }
    std::io::copy(file, out).map(drop)
}

/// Starts the thread that writes full buffers into `file`; without threads, writes them here.
fn start_writer(mut file: File) -> std::io::Result<Spill> {
    // One buffer queued while another is written: the canonicalizer waits only when the disk
    // is slower than it.
    let (full, queued) = sync_channel::<Vec<u8>>(1);
    let (give_back, emptied) = sync_channel::<Vec<u8>>(2);
    let job = move || -> Written {
        for mut chunk in queued {
            file.write_all(&chunk)?;
            chunk.clear();
            let _ = give_back.try_send(chunk);
        }
        Ok(file)
    };
    match std::thread::Builder::new().name("c14n-spill".into()).spawn(job) {
        Ok(writer) => Ok(Spill::Thread { full, emptied, writer }),
        // The closure, and the file in it, is gone with the failed spawn: open another.
        Err(_) => Ok(Spill::Here(tempfile::tempfile()?)),
    }
}

impl Write for HeldOutput {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if !self.memory_only && self.buffer.len() + bytes.len() > Self::CHUNK {
            self.spill()?;
        }
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
