//! File and stdin helpers shared by the commands.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;

use crate::error::CliError;

/// Reads a whole input: a path, or `-` for standard input.
pub fn read_input(path: &str) -> Result<Vec<u8>, CliError> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| CliError::input(format!("cannot read standard input: {e}")))?;
        Ok(buf)
    } else {
        fs::read(path)
            .map_err(|e| CliError::input(format!("cannot read {path}: {}", describe_io(&e))))
    }
}

/// Writes a public file (certificate, CSR, metadata). Refuses to replace an existing file unless
/// `force` is set.
pub fn write_public(path: &Path, contents: &[u8], force: bool) -> Result<(), CliError> {
    write_with_mode(path, contents, force, 0o644)
}

/// Writes a secret (private key): created with mode 0600 and create-new semantics, so an existing
/// file is never replaced unless `force` is set (and then it is removed first, so the new file
/// never inherits looser permissions).
pub fn write_secret(path: &Path, contents: &[u8], force: bool) -> Result<(), CliError> {
    write_with_mode(path, contents, force, 0o600)
}

fn write_with_mode(path: &Path, contents: &[u8], force: bool, mode: u32) -> Result<(), CliError> {
    let shown = path.display();
    if force {
        match fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(CliError::input(format!(
                    "cannot replace {shown}: {}",
                    describe_io(&e)
                )));
            }
        }
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::input(format!("{shown} already exists; use --force to overwrite it"))
        } else {
            CliError::input(format!("cannot create {shown}: {}", describe_io(&e)))
        }
    })?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| CliError::input(format!("cannot write {shown}: {}", describe_io(&e))))
}

/// An I/O error in plain words, without Rust's `(os error N)` suffix.
pub fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}
