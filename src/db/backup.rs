//! `carelink backup`: a consistent copy of the live database, in a new file readable by its owner
//! alone from its first byte (it holds every patient's records); and the nightly run's files,
//! named by their time, the oldest deleted past the number to keep.

use std::{
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
};

use time::{macros::format_description, OffsetDateTime};

use super::{postgres, sqlite, Engine};

/// Copies the database at `url` into the new file `to`, never over an existing one: SQLite's
/// `VACUUM INTO`, or PostgreSQL's `pg_dump` in its custom format.
pub async fn back_up(url: &str, to: &Path) -> anyhow::Result<()> {
    let engine = Engine::of(url)?;
    let target = to
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("the backup's path {} is not UTF-8", to.display()))?;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(to)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                anyhow::anyhow!("{target} already exists: a backup never overwrites a file")
            }
            _ => anyhow::anyhow!("cannot create the backup {target}: {e}"),
        })?;
    let copied = match engine {
        Engine::Sqlite => sqlite::vacuum_into(url, target).await,
        Engine::Postgres => postgres::dump(url, target).await,
    };
    if copied.is_err() {
        // No empty or partial file is left to be mistaken for a backup.
        let _ = std::fs::remove_file(to);
    }
    copied
}

/// The nightly backup: a new file in `dir` named by the time (`carelink-20311203T020000.000Z.db`,
/// or `.dump` from PostgreSQL), then the oldest of those files deleted until `keep` remain.
/// Returns the new file and the deleted ones.
pub async fn back_up_into(
    url: &str,
    dir: &Path,
    keep: usize,
    now: OffsetDateTime,
) -> anyhow::Result<(PathBuf, Vec<PathBuf>)> {
    let extension = match Engine::of(url)? {
        Engine::Sqlite => "db",
        Engine::Postgres => "dump",
    };
    let stamp = now
        .format(format_description!(
            "[year][month][day]T[hour][minute][second].[subsecond digits:3]Z"
        ))
        .expect("a UTC time formats");
    let file = dir.join(format!("{PREFIX}{stamp}.{extension}"));
    back_up(url, &file).await?;
    let mut backups: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("cannot list {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| is_nightly(path))
        .collect();
    // The names sort as their times do.
    backups.sort();
    let extra = backups.len().saturating_sub(keep.max(1));
    let mut deleted = Vec::with_capacity(extra);
    for old in backups.into_iter().take(extra) {
        std::fs::remove_file(&old)
            .map_err(|e| anyhow::anyhow!("cannot delete the old backup {}: {e}", old.display()))?;
        deleted.push(old);
    }
    Ok((file, deleted))
}

const PREFIX: &str = "carelink-";

/// Whether `path` is one of `back_up_into`'s files: nothing else in the folder is ever deleted.
fn is_nightly(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
        return false;
    };
    let Some(rest) = name.strip_prefix(PREFIX) else {
        return false;
    };
    let stamp = rest
        .strip_suffix(".db")
        .or_else(|| rest.strip_suffix(".dump"));
    stamp.is_some_and(|stamp| {
        stamp.len() == "20311203T020000.000Z".len()
            && stamp.ends_with('Z')
            && stamp
                .bytes()
                .all(|b| b.is_ascii_digit() || b"T.Z".contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_nightly_files_are_ever_deleted() {
        for ours in [
            "carelink-20311203T020000.000Z.db",
            "carelink-20311203T020000.000Z.dump",
        ] {
            assert!(is_nightly(Path::new(ours)), "{ours}");
        }
        for theirs in [
            "carelink-before-upgrade.db",
            "carelink-20311203T020000.000Z.db.gz",
            "carelink.db",
            "other-20311203T020000.000Z.db",
            "carelink-2031120xT020000.000Z.db",
        ] {
            assert!(!is_nightly(Path::new(theirs)), "{theirs}");
        }
    }
}
