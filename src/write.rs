//! Every file the CLI writes goes through here, so that a crash, a full disk or a kill never
//! leaves a half-written, missing or too readable output.
//!
//! How one file is written ([`write_file`]):
//! 1. the contents go to a temporary file in the target's own directory (`.NAME.PID-N.tmp`),
//!    created exclusively with its final mode from the start (0600 for secrets, 0644 for public
//!    files, both narrowed by the umask), so a private key is never readable by others, not even
//!    for an instant;
//! 2. the temporary file is flushed to disk (`fsync`);
//! 3. it is renamed onto the target: without `--force` with `renameat2(RENAME_NOREPLACE)`, so an
//!    existing file is refused atomically (no check-then-write race); with `--force` with a plain
//!    `rename`, which replaces the old file in one step (readers see the old or the new
//!    contents, never a mix, and the old inode is untouched until then);
//! 4. the directory is flushed, so the rename itself survives a crash.
//!
//! A batch ([`Batch`]) stages every output the same way but flushes nothing per file: when the
//! batch ends, one `syncfs` makes all the staged contents durable, the files are renamed onto
//! their targets, and each target directory is flushed once. Two flushes for any number of
//! files instead of one per file, and the same guarantee: every target holds its old contents
//! or its complete new ones. Staged files that are never committed are removed (on error and on
//! drop); only a process killed mid-batch leaves `.NAME.PID-N.tmp` files behind.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::CliError;
use crate::io::describe_io;

/// Who may read a file once written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Secrecy {
    /// Certificates, CSRs, metadata, signed documents: mode 0644.
    Public,
    /// Private keys and keystores: mode 0600 from the moment the file exists.
    Secret,
}

impl Secrecy {
    fn mode(self) -> u32 {
        match self {
            Secrecy::Public => 0o644,
            Secrecy::Secret => 0o600,
        }
    }
}

/// What to do when the target already exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Existing {
    /// Refuse (the default of every writer; `--force` turns it into [`Existing::Replace`]).
    Refuse,
    /// Replace it atomically.
    Replace,
}

impl Existing {
    /// `--force` given or not.
    pub(crate) fn from_force(force: bool) -> Self {
        if force { Existing::Replace } else { Existing::Refuse }
    }
}

/// Writes one file atomically and durably (see the module documentation).
pub(crate) fn write_file(
    path: &Path,
    contents: &[u8],
    secrecy: Secrecy,
    existing: Existing,
) -> Result<(), CliError> {
    let staged = Staged::write(path, contents, secrecy, true).map_err(CliError::input)?;
    staged.commit(existing).map_err(CliError::input)?;
    sync_directory(parent_of(path)).map_err(|e| {
        CliError::input(format!("cannot write {}: {}", path.display(), describe_io(&e)))
    })
}

/// A file written under a temporary name next to its target, not yet renamed onto it. Dropped
/// without [`Staged::commit`], the temporary file is removed.
#[derive(Debug)]
pub(crate) struct Staged {
    temporary: PathBuf,
    target: PathBuf,
    committed: bool,
}

/// Makes temporary names unique within this process; the pid makes them unique across
/// processes, and the exclusive create catches anything else.
static NEXT_TEMPORARY: AtomicU64 = AtomicU64::new(0);

impl Staged {
    /// Writes `contents` to a new temporary file next to `target`, with the mode of `secrecy`
    /// from creation on; `sync` flushes it to disk before returning.
    fn write(target: &Path, contents: &[u8], secrecy: Secrecy, sync: bool) -> Result<Self, String> {
        let shown = target.display();
        let name = target
            .file_name()
            .ok_or_else(|| format!("cannot write {shown}: not a file name"))?
            .to_string_lossy();
        let dir = parent_of(target);
        let (temporary, mut file) = loop {
            let n = NEXT_TEMPORARY.fetch_add(1, Ordering::Relaxed);
            let temporary = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
            match create_exclusive(&temporary, secrecy) {
                Ok(file) => break (temporary, file),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(format!("cannot create {shown}: {}", describe_io(&e))),
            }
        };
        // From here on, dropping `staged` removes the temporary file.
        let staged = Staged { temporary, target: target.to_path_buf(), committed: false };
        file.write_all(contents)
            .and_then(|()| if sync { file.sync_all() } else { Ok(()) })
            .map_err(|e| format!("cannot write {shown}: {}", describe_io(&e)))?;
        Ok(staged)
    }

    /// Renames the temporary file onto the target (see [`Existing`]).
    fn commit(mut self, existing: Existing) -> Result<(), String> {
        let shown = self.target.display();
        rename(&self.temporary, &self.target, existing).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                format!("{shown} already exists; use --force to overwrite it")
            } else {
                format!("cannot write {shown}: {}", describe_io(&e))
            }
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.temporary);
        }
    }
}

fn create_exclusive(path: &Path, secrecy: Secrecy) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(secrecy.mode());
    }
    #[cfg(not(unix))]
    let _ = secrecy;
    options.open(path)
}

/// `from` onto `to`; with [`Existing::Refuse`], atomically refused when `to` exists.
fn rename(from: &Path, to: &Path, existing: Existing) -> std::io::Result<()> {
    match existing {
        Existing::Replace => fs::rename(from, to),
        Existing::Refuse => rename_no_replace(from, to),
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn rename_no_replace(from: &Path, to: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        Ok(()) => Ok(()),
        // A filesystem without RENAME_NOREPLACE (some network filesystems): a hard link is
        // just as exclusive.
        Err(Errno::INVAL | Errno::NOSYS) => link_then_unlink(from, to),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn rename_no_replace(from: &Path, to: &Path) -> std::io::Result<()> {
    link_then_unlink(from, to)
}

/// A no-clobber rename where `renameat2` is missing: `link` fails if `to` exists.
fn link_then_unlink(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::hard_link(from, to)?;
    fs::remove_file(from)
}

/// The directory a relative or absolute path is in (`.` for a bare file name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Flushes a directory's entries (a rename in it) to disk.
fn sync_directory(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Writes the contents of `target` under a temporary name next to it, with the mode of
/// `secrecy`, without flushing it: the first step of a [`Batch`] output, done by a worker
/// thread; the result goes to [`Batch::add`].
pub(crate) fn stage(target: &Path, contents: &[u8], secrecy: Secrecy) -> Result<Staged, String> {
    Staged::write(target, contents, secrecy, false)
}

/// The outputs of a batch: each is staged by a worker thread ([`stage`]), kept here in input
/// order ([`Batch::add`]) and committed all at once at the end ([`Batch::commit`]).
#[derive(Debug)]
pub(crate) struct Batch {
    existing: Existing,
    staged: Vec<Staged>,
}

/// A target a batch could not write, with the reason (a complete message).
pub(crate) type Unwritten = (PathBuf, String);

impl Batch {
    /// An empty batch that treats existing targets as `existing` says.
    pub(crate) fn new(existing: Existing) -> Self {
        Batch { existing, staged: Vec::new() }
    }

    /// Keeps a staged file for [`Batch::commit`].
    pub(crate) fn add(&mut self, staged: Staged) {
        self.staged.push(staged);
    }

    /// Makes every staged file durable (one `syncfs` per filesystem), renames each onto its
    /// target in the order added, and flushes each target directory once. Returns the targets
    /// that could not be written, in that order (the others are written).
    pub(crate) fn commit(mut self) -> Result<Vec<Unwritten>, CliError> {
        let staged = std::mem::take(&mut self.staged);
        let mut dirs: Vec<PathBuf> = Vec::new();
        for s in &staged {
            let dir = parent_of(&s.target);
            if !dirs.iter().any(|d| d == dir) {
                dirs.push(dir.to_path_buf());
            }
        }
        sync_filesystems(&dirs, &staged)?;
        let mut unwritten = Vec::new();
        for s in staged {
            let target = s.target.clone();
            if let Err(message) = s.commit(self.existing) {
                unwritten.push((target, message));
            }
        }
        for dir in &dirs {
            sync_directory(dir).map_err(|e| {
                CliError::input(format!("cannot flush {}: {}", dir.display(), describe_io(&e)))
            })?;
        }
        Ok(unwritten)
    }
}

/// One `syncfs` per filesystem holding a target directory: flushes every staged file's contents
/// in one call.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn sync_filesystems(dirs: &[PathBuf], _staged: &[Staged]) -> Result<(), CliError> {
    use std::os::unix::fs::MetadataExt;
    let mut devices = Vec::new();
    for dir in dirs {
        let flush_failed = |e: std::io::Error| {
            CliError::input(format!("cannot flush {}: {}", dir.display(), describe_io(&e)))
        };
        let handle = fs::File::open(dir).map_err(flush_failed)?;
        let device = handle.metadata().map_err(flush_failed)?.dev();
        if !devices.contains(&device) {
            rustix::fs::syncfs(&handle).map_err(|e| flush_failed(e.into()))?;
            devices.push(device);
        }
    }
    Ok(())
}

/// Without `syncfs`, each staged file is flushed on its own.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn sync_filesystems(_dirs: &[PathBuf], staged: &[Staged]) -> Result<(), CliError> {
    for s in staged {
        fs::File::open(&s.temporary).and_then(|f| f.sync_all()).map_err(|e| {
            CliError::input(format!("cannot write {}: {}", s.target.display(), describe_io(&e)))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_staged_secret_has_mode_0600_before_it_is_renamed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("k.key");
        let staged = Staged::write(&target, b"secret", Secrecy::Secret, false).unwrap();
        assert_eq!(mode(&staged.temporary), 0o600);
        assert!(!target.exists(), "nothing at the target before the rename");
        staged.commit(Existing::Refuse).unwrap();
        assert_eq!(mode(&target), 0o600);
        assert_eq!(fs::read(&target).unwrap(), b"secret");
    }

    #[test]
    fn an_uncommitted_staged_file_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let staged =
            Staged::write(&dir.path().join("a.xml"), b"x", Secrecy::Public, false).unwrap();
        let temporary = staged.temporary.clone();
        assert!(temporary.exists());
        drop(staged);
        assert!(!temporary.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn refuse_keeps_the_existing_file_and_removes_the_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.crt");
        fs::write(&target, b"old").unwrap();
        let err = write_file(&target, b"new", Secrecy::Public, Existing::Refuse).unwrap_err();
        assert_eq!(
            err.message,
            format!("{} already exists; use --force to overwrite it", target.display())
        );
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary left");
    }

    #[test]
    fn replace_swaps_the_inode_and_leaves_the_old_contents_to_open_readers() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.key");
        write_file(&target, b"old key", Secrecy::Secret, Existing::Refuse).unwrap();
        let before = fs::metadata(&target).unwrap().ino();
        let mut reader = fs::File::open(&target).unwrap();
        write_file(&target, b"new key", Secrecy::Secret, Existing::Replace).unwrap();
        assert_ne!(fs::metadata(&target).unwrap().ino(), before);
        let mut old = String::new();
        std::io::Read::read_to_string(&mut reader, &mut old).unwrap();
        assert_eq!(old, "old key", "the old file was replaced, not rewritten in place");
        assert_eq!(fs::read(&target).unwrap(), b"new key");
        assert_eq!(mode(&target), 0o600);
    }

    #[test]
    fn a_batch_commits_in_order_and_reports_each_target_it_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("b.xml")).unwrap();
        let mut batch = Batch::new(Existing::Replace);
        for name in ["a.xml", "b.xml", "c.xml"] {
            let staged = stage(&dir.path().join(name), name.as_bytes(), Secrecy::Public).unwrap();
            batch.add(staged);
        }
        let unwritten = batch.commit().unwrap();
        assert_eq!(unwritten.len(), 1, "{unwritten:?}");
        assert_eq!(unwritten[0].0, dir.path().join("b.xml"));
        assert!(
            unwritten[0]
                .1
                .starts_with(&format!("cannot write {}", dir.path().join("b.xml").display()))
        );
        assert_eq!(fs::read(dir.path().join("a.xml")).unwrap(), b"a.xml");
        assert_eq!(fs::read(dir.path().join("c.xml")).unwrap(), b"c.xml");
        let names: Vec<_> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 3, "no temporary left: {names:?}");
    }
}
