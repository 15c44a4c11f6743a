//! Finding exercise files: the `*.gw` files of a folder, for `gradwork
//! solve DIR` and `gradwork serve DIR`.

use std::path::{Path, PathBuf};

/// The `*.gw` files of a folder, walked without following symbolic links
/// (a link loop or a link to a system file is skipped, with a warning), and
/// only regular files (a FIFO named `x.gw` would block forever).
pub fn collect(path: &Path, out: &mut Vec<PathBuf>, warn: &mut Vec<String>) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_dir() {
        if meta.is_file() {
            out.push(path.to_path_buf());
        } else {
            warn.push(format!("{}: not a regular file, skipped", path.display()));
        }
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for e in entries {
        let Ok(m) = std::fs::symlink_metadata(&e) else {
            continue;
        };
        let gw = e.extension().is_some_and(|x| x == "gw");
        if m.file_type().is_symlink() {
            if gw || m.is_dir() {
                warn.push(format!("{}: a symbolic link, not followed", e.display()));
            }
        } else if m.is_dir() {
            collect(&e, out, warn)?;
        } else if gw && m.is_file() {
            out.push(e);
        } else if gw {
            warn.push(format!("{}: not a regular file, skipped", e.display()));
        }
    }
    Ok(())
}
