//! File systems made for a test, to meet the database's real failures: a small tmpfs that fills
//! up, and a read-only view of a folder. Mounting needs root (CI runs as root); anywhere else the
//! test fails saying so, rather than passing without having tried.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use tempfile::TempDir;

pub struct Mount {
    dir: TempDir,
}

impl Mount {
    /// A tmpfs of `size` ("2m"): a disk that fills up.
    pub fn tmpfs(size: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let options = format!("size={size}");
        mount(&["-t", "tmpfs", "-o", &options, "tmpfs"], dir.path());
        Self { dir }
    }

    /// `folder` as seen through a read-only mount: what a database on a read-only volume meets.
    pub fn read_only_view(folder: &Path) -> Self {
        let dir = tempfile::tempdir().unwrap();
        mount(&["--bind", &folder.display().to_string()], dir.path());
        mount(&["-o", "remount,bind,ro"], dir.path());
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the file system until it refuses another byte; the space comes back when the
    /// returned file is dropped.
    pub fn fill(&self) -> Filler {
        use std::io::Write;
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let chunk = vec![0u8; 4096];
        while file.write_all(&chunk).and_then(|()| file.flush()).is_ok() {}
        Filler(path)
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        // Lazily: the app under test may still hold files open while the test ends.
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

pub struct Filler(PathBuf);

impl Drop for Filler {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn mount(args: &[&str], at: &Path) {
    let output = Command::new("mount")
        .args(args)
        .arg(at)
        .output()
        .expect("mount runs");
    assert!(
        output.status.success(),
        "this test mounts a file system and must run as root (CI does): mount {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
