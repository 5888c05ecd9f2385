//! Reading a Salesforce project from disk: a Salesforce DX project (source format) or a
//! Metadata API retrieve, as a directory or a `.zip`.
//!
//! This is the one place in the crate that touches the file system, behind
//! [`ProjectFiles::read`]; everything after it works on bytes. Only the files the scan can use
//! are loaded (by suffix), each bounded in size, so a large project or a zip bomb costs bounded
//! memory.

use std::io::Read as _;
use std::path::Path;

use serde::Deserialize;

use crate::CertError;
use crate::sfmeta::types::is_interesting;

/// Largest single file read (metadata XML, `.crt`, Apex class).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// Largest total of the files read.
pub const MAX_TOTAL_BYTES: u64 = 512 * 1024 * 1024;
/// Most directory or zip entries looked at.
pub const MAX_ENTRIES: usize = 500_000;

/// How the project is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectFormat {
    /// Salesforce DX source format: `sfdx-project.json` and package directories holding
    /// `NAME.<suffix>-meta.xml` files.
    Source,
    /// A Metadata API retrieve: `package.xml` beside `<folder>/NAME.<suffix>` files.
    MetadataApi,
}

impl ProjectFormat {
    /// `source` or `mdapi`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectFormat::Source => "source",
            ProjectFormat::MetadataApi => "mdapi",
        }
    }
}

/// One file of the project, path relative to the project root with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFile {
    /// Path relative to the project root (`force-app/main/default/certs/A.crt`,
    /// `certs/A.crt`).
    pub path: String,
    /// The contents, or why they could not be read (too large, I/O error); such a file is
    /// reported as a problem and the scan goes on.
    pub contents: Result<Vec<u8>, String>,
}

/// The files of a project that the scan reads, and the project's layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFiles {
    /// Source format or Metadata API.
    pub format: ProjectFormat,
    /// The package directories searched (source format), or the retrieve's root (`.` when
    /// `package.xml` is at the top).
    pub roots: Vec<String>,
    /// The files, sorted by path.
    pub files: Vec<ProjectFile>,
}

#[derive(Deserialize)]
struct SfdxProject {
    #[serde(rename = "packageDirectories", default)]
    package_directories: Vec<PackageDirectory>,
}

#[derive(Deserialize)]
struct PackageDirectory {
    path: String,
}

impl ProjectFiles {
    /// Reads a project directory or a `.zip` (anything that is not a directory is opened as a
    /// zip). Errors only when the input as a whole is unusable: not found, not a zip, or neither
    /// `sfdx-project.json` nor `package.xml` in it.
    ///
    /// ```no_run
    /// use samlkit_cert::sfmeta::ProjectFiles;
    /// let project = ProjectFiles::read(std::path::Path::new("my-sfdx-project"))?;
    /// println!("{} files in {} format", project.files.len(), project.format.as_str());
    /// # Ok::<(), samlkit_cert::CertError>(())
    /// ```
    pub fn read(path: &Path) -> Result<ProjectFiles, CertError> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| unreadable(&shown, io_reason(&e)))?;
        let raw = if meta.is_dir() {
            read_dir_tree(path, &shown)?
        } else {
            let bytes = std::fs::read(path).map_err(|e| unreadable(&shown, io_reason(&e)))?;
            read_zip(&bytes, &shown)?
        };
        ProjectFiles::from_files(raw, &shown)
    }

    /// Reads a Metadata API retrieve (or a zipped DX project) held in memory.
    pub fn from_zip_bytes(bytes: &[u8], shown: &str) -> Result<ProjectFiles, CertError> {
        ProjectFiles::from_files(read_zip(bytes, shown)?, shown)
    }

    /// Works out the layout of `files` (paths relative to where the input starts) and keeps
    /// the ones under the project's package directories or retrieve root, re-rooted there.
    pub fn from_files(files: Vec<ProjectFile>, shown: &str) -> Result<ProjectFiles, CertError> {
        let shallowest = |name: &str| {
            files
                .iter()
                .filter(|f| f.path == name || f.path.ends_with(&format!("/{name}")))
                .min_by_key(|f| (f.path.matches('/').count(), f.path.clone()))
        };
        let (format, base, roots) = if let Some(project) = shallowest("sfdx-project.json") {
            let base = parent_of(&project.path);
            let bytes = project.contents.as_ref().map_err(|e| unreadable(shown, e.clone()))?;
            let parsed: SfdxProject = serde_json::from_slice(bytes).map_err(|e| {
                unreadable(shown, format!("{} is not valid JSON ({e})", project.path))
            })?;
            let mut roots: Vec<String> = parsed
                .package_directories
                .iter()
                .map(|d| normalize(&d.path))
                .filter(|p| !p.is_empty() && !p.split('/').any(|c| c == ".."))
                .collect();
            if roots.is_empty() {
                return Err(unreadable(
                    shown,
                    format!("{} lists no packageDirectories", project.path),
                ));
            }
            roots.sort();
            roots.dedup();
            (ProjectFormat::Source, base, roots)
        } else if let Some(package) = shallowest("package.xml") {
            (ProjectFormat::MetadataApi, parent_of(&package.path), vec![".".to_string()])
        } else {
            return Err(unreadable(
                shown,
                "neither sfdx-project.json (a Salesforce DX project) nor package.xml (a Metadata \
                 API retrieve) found"
                    .to_string(),
            ));
        };
        let mut kept: Vec<ProjectFile> = files
            .into_iter()
            .filter_map(|f| {
                let rel = strip_base(&f.path, &base)?.to_string();
                let under_root =
                    roots.iter().any(|r| r == "." || rel.starts_with(&format!("{r}/")));
                (under_root && is_interesting(&rel)).then_some(ProjectFile { path: rel, ..f })
            })
            .collect();
        kept.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(ProjectFiles { format, roots, files: kept })
    }
}

fn unreadable(shown: &str, reason: String) -> CertError {
    CertError::ProjectUnreadable { input: shown.to_string(), reason }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// `a/b/c` → `a/b`; `c` → ``.
fn parent_of(path: &str) -> String {
    path.rsplit_once('/').map(|(dir, _)| dir.to_string()).unwrap_or_default()
}

fn strip_base<'p>(path: &'p str, base: &str) -> Option<&'p str> {
    if base.is_empty() { Some(path) } else { path.strip_prefix(base)?.strip_prefix('/') }
}

/// `./force-app/` → `force-app`; backslashes as slashes.
fn normalize(path: &str) -> String {
    path.replace('\\', "/")
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// Tracks the entry count and byte total against the limits.
struct Budget {
    entries: usize,
    bytes: u64,
}

impl Budget {
    fn entry(&mut self, shown: &str) -> Result<(), CertError> {
        self.entries += 1;
        if self.entries > MAX_ENTRIES {
            return Err(unreadable(shown, format!("more than {MAX_ENTRIES} entries")));
        }
        Ok(())
    }

    fn take(&mut self, size: u64, shown: &str) -> Result<(), CertError> {
        self.bytes += size;
        if self.bytes > MAX_TOTAL_BYTES {
            return Err(unreadable(
                shown,
                format!("the metadata files add up to more than {MAX_TOTAL_BYTES} bytes"),
            ));
        }
        Ok(())
    }
}

/// Whether to load a file found at `path` (relative): project markers and scannable suffixes.
fn wanted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "sfdx-project.json" || name == "package.xml" || is_interesting(path)
}

fn too_large(size: u64) -> String {
    format!("{size} bytes, larger than the {MAX_FILE_BYTES}-byte limit for one metadata file")
}

/// Walks a directory without following symbolic links (no loops, nothing outside the tree).
fn read_dir_tree(root: &Path, shown: &str) -> Result<Vec<ProjectFile>, CertError> {
    let mut budget = Budget { entries: 0, bytes: 0 };
    let mut out = Vec::new();
    let mut pending = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| unreadable(shown, format!("{}: {}", dir.display(), io_reason(&e))))?;
        for entry in entries {
            budget.entry(shown)?;
            let entry = entry.map_err(|e| unreadable(shown, io_reason(&e)))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                // Tool caches and VCS data never hold metadata.
                if !matches!(name.as_str(), ".git" | ".sf" | ".sfdx" | "node_modules") {
                    pending.push((entry.path(), path));
                }
            } else if kind.is_file() && wanted(&path) {
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                let contents = if size > MAX_FILE_BYTES {
                    Err(too_large(size))
                } else {
                    budget.take(size, shown)?;
                    std::fs::read(entry.path()).map_err(|e| io_reason(&e))
                };
                out.push(ProjectFile { path, contents });
            }
        }
    }
    Ok(out)
}

/// Reads the wanted entries of a zip; sizes are enforced on the decompressed stream, not on
/// what the archive claims.
fn read_zip(bytes: &[u8], shown: &str) -> Result<Vec<ProjectFile>, CertError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| unreadable(shown, format!("not a directory or a readable zip ({e})")))?;
    let mut budget = Budget { entries: 0, bytes: 0 };
    let mut out = Vec::new();
    for index in 0..archive.len() {
        budget.entry(shown)?;
        let mut entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(e) => return Err(unreadable(shown, format!("zip entry #{index}: {e}"))),
        };
        if entry.is_dir() {
            continue;
        }
        // `enclosed_name` refuses absolute paths and `..`, so no entry can name a file
        // outside the archive's tree.
        let Some(path) = entry.enclosed_name() else { continue };
        let path = normalize(&path.to_string_lossy());
        if !wanted(&path) {
            continue;
        }
        let mut data = Vec::new();
        let read = (&mut entry).take(MAX_FILE_BYTES + 1).read_to_end(&mut data);
        let contents = match read {
            Err(e) => Err(format!("cannot decompress ({e})")),
            Ok(_) if data.len() as u64 > MAX_FILE_BYTES => Err(too_large(entry.size())),
            Ok(_) => {
                budget.take(data.len() as u64, shown)?;
                Ok(data)
            }
        };
        out.push(ProjectFile { path, contents });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> ProjectFile {
        ProjectFile { path: path.to_string(), contents: Ok(text.as_bytes().to_vec()) }
    }

    #[test]
    fn layout_is_detected_and_files_rerooted() {
        let source = ProjectFiles::from_files(
            vec![
                file("proj/sfdx-project.json", r#"{"packageDirectories":[{"path":"./app/"}]}"#),
                file("proj/app/main/certs/A.crt-meta.xml", "<x/>"),
                file("proj/other/certs/B.crt-meta.xml", "<x/>"),
            ],
            "in",
        )
        .unwrap();
        assert_eq!(source.format, ProjectFormat::Source);
        assert_eq!(source.roots, ["app"]);
        let paths: Vec<&str> = source.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["app/main/certs/A.crt-meta.xml"]);

        let mdapi = ProjectFiles::from_files(
            vec![file("unpackaged/package.xml", "<Package/>"), file("unpackaged/certs/A.crt", "")],
            "in",
        )
        .unwrap();
        assert_eq!(mdapi.format, ProjectFormat::MetadataApi);
        assert_eq!(mdapi.files[0].path, "certs/A.crt");
    }

    #[test]
    fn unusable_layouts_are_errors() {
        let cases = [
            (vec![file("a/b.txt", "")], "neither sfdx-project.json"),
            (vec![file("sfdx-project.json", "{")], "sfdx-project.json is not valid JSON"),
            (vec![file("sfdx-project.json", "{}")], "lists no packageDirectories"),
        ];
        for (files, expected) in cases {
            let err = ProjectFiles::from_files(files, "in").unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
    }
}
