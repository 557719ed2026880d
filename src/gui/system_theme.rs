//! The desktop's light or dark preference, for the "System" theme: the XDG
//! desktop portal's `org.freedesktop.appearance` `color-scheme` over D-Bus,
//! then the GTK settings, then light. winit reports no theme on X11.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use eframe::egui::Theme;

/// How long the window waits for the portal before its first frame.
const PORTAL_WAIT: Duration = Duration::from_millis(500);

/// The desktop's preference, asked without holding up the window long.
pub(crate) fn detect() -> Theme {
    let (sender, receiver) = mpsc::channel();
    let asked = std::thread::Builder::new()
        .name("odoo-connections-theme".into())
        .spawn(move || {
            sender.send(portal()).ok();
        });
    let from_portal = asked
        .ok()
        .and_then(|_| receiver.recv_timeout(PORTAL_WAIT).ok())
        .flatten();
    from_portal.or_else(gtk).unwrap_or(Theme::Light)
}

/// The portal's `color-scheme`: 1 prefers dark, 2 prefers light, 0 none.
fn portal() -> Option<Theme> {
    let connection = zbus::blocking::Connection::session().ok()?;
    let reply = connection
        .call_method(
            Some("org.freedesktop.portal.Desktop"),
            "/org/freedesktop/portal/desktop",
            Some("org.freedesktop.portal.Settings"),
            "ReadOne",
            &("org.freedesktop.appearance", "color-scheme"),
        )
        .ok()?;
    let value: zbus::zvariant::OwnedValue = reply.body().deserialize().ok()?;
    color_scheme(u32::try_from(&value).ok()?)
}

/// The portal's `color-scheme` value as a theme (`None`: no preference).
pub(crate) fn color_scheme(value: u32) -> Option<Theme> {
    match value {
        1 => Some(Theme::Dark),
        2 => Some(Theme::Light),
        _ => None,
    }
}

/// `GTK_THEME`, then GTK 4's and GTK 3's `settings.ini`.
fn gtk() -> Option<Theme> {
    if let Ok(name) = std::env::var("GTK_THEME") {
        return Some(theme_name(&name));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    ["gtk-4.0", "gtk-3.0"].into_iter().find_map(|version| {
        let text = std::fs::read_to_string(config.join(version).join("settings.ini")).ok()?;
        gtk_settings(&text)
    })
}

/// The theme a GTK `settings.ini` asks for, if it says.
pub(crate) fn gtk_settings(text: &str) -> Option<Theme> {
    let mut theme = None;
    for line in text.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "gtk-application-prefer-dark-theme" => {
                return Some(if matches!(value, "1" | "true") {
                    Theme::Dark
                } else {
                    theme.unwrap_or(Theme::Light)
                });
            }
            "gtk-theme-name" => theme = Some(theme_name(value)),
            _ => {}
        }
    }
    theme
}

/// A GTK theme name such as `Adwaita:dark` or `Yaru-dark`.
fn theme_name(name: &str) -> Theme {
    if name.to_ascii_lowercase().contains("dark") {
        Theme::Dark
    } else {
        Theme::Light
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portal_values_follow_the_specification() {
        assert_eq!(color_scheme(0), None);
        assert_eq!(color_scheme(1), Some(Theme::Dark));
        assert_eq!(color_scheme(2), Some(Theme::Light));
    }

    #[test]
    fn gtk_settings_name_the_theme() {
        let dark = "[Settings]\ngtk-application-prefer-dark-theme=1\n";
        assert_eq!(gtk_settings(dark), Some(Theme::Dark));
        let named = "[Settings]\ngtk-theme-name = Yaru-dark\n";
        assert_eq!(gtk_settings(named), Some(Theme::Dark));
        let light = "[Settings]\ngtk-theme-name=Adwaita\ngtk-application-prefer-dark-theme=0\n";
        assert_eq!(gtk_settings(light), Some(Theme::Light));
        assert_eq!(
            gtk_settings("[Settings]\ngtk-font-name=Cantarell 11\n"),
            None
        );
    }
}
