//! Where scenario and data files come from: the [`Sources`] trait the engine reads through, the
//! file system ([`FsSources`]) and memory ([`MapSources`]), and opening a CSV data file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where scenario and data files come from. The engine reads through this trait and never touches
/// the file system itself, except through [`FsSources`].
pub trait Sources: Sync {
    /// Reads a whole text file.
    fn read(&self, path: &Path) -> std::io::Result<String>;
}

/// Reads files from the file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct FsSources;

/// The largest scenario or data file read (files are read whole): 256 MiB.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

impl Sources for FsSources {
    /// Reads a regular file of at most [`MAX_FILE_BYTES`]. Anything else (a device such as
    /// `/dev/zero`, a FIFO, a directory, a socket) is refused by its type before it is opened, so
    /// it can neither grow without bound nor block; the read itself stops after the limit in case
    /// the file grows while it is read.
    fn read(&self, path: &Path) -> std::io::Result<String> {
        use std::io::Read;
        let invalid = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidData, m);
        let too_large = |size: u64, qualifier: &str| {
            invalid(format!(
                "the file is {qualifier}{:.1} MiB; scenario and data files are read whole, up to {} MiB",
                size as f64 / f64::from(1u32 << 20),
                MAX_FILE_BYTES >> 20
            ))
        };
        let meta = std::fs::metadata(path)?;
        if !meta.is_file() {
            return Err(invalid(format!(
                "not a regular file (a {}); scenario and data files must be regular files",
                file_kind(&meta.file_type())
            )));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(too_large(meta.len(), ""));
        }
        let file = std::fs::File::open(path)?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(too_large(bytes.len() as u64, "more than "));
        }
        String::from_utf8(bytes).map_err(|e| {
            invalid(format!(
                "not UTF-8 text (first bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ))
        })
    }
}

/// What kind of file `t` is, for the message refusing one that is not regular.
fn file_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    if t.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

/// Files held in memory, by path (for tests, and for the desktop app's unsaved edits).
#[derive(Clone, Debug, Default)]
pub struct MapSources(pub BTreeMap<PathBuf, String>);

impl Sources for MapSources {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        self.0
            .get(path)
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    }
}

/// A CSV data file opened for reading, with its header row.
pub(crate) struct CsvFile {
    /// The file, as named in errors.
    pub name: String,
    /// The rows after the header.
    pub reader: csv::Reader<std::io::Cursor<Vec<u8>>>,
    /// The header row.
    pub headers: csv::StringRecord,
}

/// Reads a CSV data file named by `named_by` (e.g. `scn.toml bank_files[0].path`) and its header.
pub(crate) fn open_csv(sources: &dyn Sources, path: &Path, named_by: &str) -> Result<CsvFile> {
    let name = path.display().to_string();
    let text = sources.read(path).map_err(|source| Error::Read {
        file: format!("{name} (named by {named_by})"),
        source,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(std::io::Cursor::new(text.into_bytes()));
    let headers = reader
        .headers()
        .map_err(|e| Error::Parse {
            file: name.clone(),
            message: format!("cannot read the header row: {e}"),
            at: None,
        })?
        .clone();
    Ok(CsvFile {
        name,
        reader,
        headers,
    })
}
