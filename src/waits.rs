//! How long odoo-connections waits for a person (to unlock the keyring, to
//! answer the approval window): a default that an environment variable
//! holding whole seconds can shorten or lengthen.

use std::time::Duration;

/// Seconds in `var`, or `default` when it is unset, zero or not a whole
/// number.
pub fn from_env(var: &str, default: Duration) -> Duration {
    parse_seconds(std::env::var(var).ok().as_deref(), default)
}

fn parse_seconds(value: Option<&str>, default: Duration) -> Duration {
    value
        .and_then(|secs| secs.trim().parse::<u64>().ok())
        .filter(|secs| *secs > 0)
        .map_or(default, Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_positive_seconds_replace_the_default() {
        let default = Duration::from_secs(120);
        for (value, expected) in [
            (Some(" 7 "), Duration::from_secs(7)),
            (Some("0"), default),
            (Some("soon"), default),
            (Some("-3"), default),
            (Some("1.5"), default),
            (None, default),
        ] {
            assert_eq!(parse_seconds(value, default), expected, "{value:?}");
        }
    }
}
