//! What operators install beside the binary.

use std::process::Command;

/// `deploy/carelink.service` passes `systemd-analyze verify` without a single complaint
/// (systemd only warns about a misspelt or unknown setting, and then ignores it). The binary
/// is the one under test, since the unit's `/opt/carelink` exists only on a server.
#[test]
fn the_systemd_unit_verifies_cleanly() {
    let unit = std::fs::read_to_string("deploy/carelink.service").unwrap();
    assert!(unit.contains("ExecStart=/opt/carelink/carelink serve"));
    let here = unit.replace(
        "/opt/carelink/carelink serve",
        &format!("{} serve", env!("CARGO_BIN_EXE_carelink")),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("carelink.service");
    std::fs::write(&path, here).unwrap();
    let output = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze runs (Debian's systemd package; scripts/setup installs it)");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{said}");
    assert_eq!(said.trim(), "", "systemd complained");
}
