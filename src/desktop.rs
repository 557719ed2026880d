//! Desktop integration: the `.desktop` entry and the icons, installed into
//! the XDG data directory (or a prefix) so the app appears in the app menu.

use std::path::{Path, PathBuf};

use crate::files::{self, FileError};

/// The desktop entry template; `odoo-connections` in `Exec`/`TryExec` is
/// replaced by the absolute path of the installed executable.
pub const DESKTOP_ENTRY: &str = include_str!("../assets/odoo-connections.desktop");

/// The scalable icon.
pub const ICON_SVG: &[u8] = include_bytes!("../assets/odoo-connections.svg");

/// The raster icons, by pixel size.
pub const ICON_PNGS: [(u32, &[u8]); 7] = [
    (
        16,
        include_bytes!("../assets/icons/odoo-connections-16.png"),
    ),
    (
        32,
        include_bytes!("../assets/icons/odoo-connections-32.png"),
    ),
    (
        48,
        include_bytes!("../assets/icons/odoo-connections-48.png"),
    ),
    (
        64,
        include_bytes!("../assets/icons/odoo-connections-64.png"),
    ),
    (
        128,
        include_bytes!("../assets/icons/odoo-connections-128.png"),
    ),
    (
        256,
        include_bytes!("../assets/icons/odoo-connections-256.png"),
    ),
    (
        512,
        include_bytes!("../assets/icons/odoo-connections-512.png"),
    ),
];

/// The name of the entry and the icons.
const APP_ID: &str = "odoo-connections";

/// Every file the installation writes, with its contents.
pub fn install_plan(data_dir: &Path, executable: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let icons = data_dir.join("icons/hicolor");
    let mut plan = vec![(
        data_dir.join(format!("applications/{APP_ID}.desktop")),
        desktop_entry_for(executable).into_bytes(),
    )];
    plan.push((
        icons.join(format!("scalable/apps/{APP_ID}.svg")),
        ICON_SVG.to_vec(),
    ));
    for (size, png) in ICON_PNGS {
        plan.push((
            icons.join(format!("{size}x{size}/apps/{APP_ID}.png")),
            png.to_vec(),
        ));
    }
    plan
}

/// The desktop entry with `Exec`/`TryExec` pointing at `executable`.
pub fn desktop_entry_for(executable: &Path) -> String {
    let path = executable.display().to_string();
    let quoted = if path.contains([' ', '"', '\'', '\\', '$', '`']) {
        format!(
            "\"{}\"",
            path.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('$', "\\$")
                .replace('`', "\\`")
        )
    } else {
        path.clone()
    };
    DESKTOP_ENTRY
        .lines()
        .map(|line| {
            if let Some(rest) = line.strip_prefix("Exec=odoo-connections") {
                format!("Exec={quoted}{rest}")
            } else if line.starts_with("TryExec=") {
                format!("TryExec={path}")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Writes every file of the plan (atomically) and returns their paths.
pub fn install(data_dir: &Path, executable: &Path) -> Result<Vec<PathBuf>, FileError> {
    let mut written = Vec::new();
    for (path, contents) in install_plan(data_dir, executable) {
        files::write_atomic(&path, &contents)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))
                .map_err(|source| FileError::io("could not make readable", &path, source))?;
        }
        written.push(path);
    }
    Ok(written)
}

/// Removes the installed files; missing ones are fine. Returns those removed.
pub fn uninstall(data_dir: &Path) -> Result<Vec<PathBuf>, FileError> {
    let mut removed = Vec::new();
    for (path, _) in install_plan(data_dir, Path::new(APP_ID)) {
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(FileError::io("could not remove", &path, source)),
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_points_at_the_installed_executable() {
        let entry = desktop_entry_for(Path::new("/opt/odoo tools/odoo-connections"));
        assert!(entry.contains("Exec=\"/opt/odoo tools/odoo-connections\" open --caller menu\n"));
        assert!(entry.contains("TryExec=/opt/odoo tools/odoo-connections\n"));
        assert!(entry.contains("Icon=odoo-connections\n"));
    }
}
