//! Settings read once at start from the environment.
//!
//! Each binary has one typed configuration (`Config::from_env` in its crate) built from these
//! readers, so its defaults sit in one place and the README's table of variables can be checked
//! against it. An empty variable counts as unset: `FOO= service` is how a shell clears one.

use std::net::SocketAddr;
use std::str::FromStr;

/// A setting that cannot be used; the message names the variable and what it must be.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// The variable is set to something that does not parse or is out of range.
    #[error("{name} must be {expected}, not {value:?}")]
    Invalid {
        name: &'static str,
        expected: &'static str,
        value: String,
    },
}

/// The variable's value, trimmed; `None` when unset or empty.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// The variable, or `default`.
pub fn string(name: &str, default: &str) -> String {
    var(name).unwrap_or_else(|| default.to_owned())
}

/// The variable parsed as `T`, or `default`; `expected` says what it must be in the error.
pub fn parsed<T: FromStr>(
    name: &'static str,
    default: T,
    expected: &'static str,
) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(value) => value.parse().map_err(|_| ConfigError::Invalid {
            name,
            expected,
            value,
        }),
    }
}

/// A count above zero (pool sizes, batch sizes), or `default`.
pub fn positive(name: &'static str, default: u32) -> Result<u32, ConfigError> {
    let value: u32 = parsed(name, default, "a whole number above 0")?;
    if value == 0 {
        return Err(ConfigError::Invalid {
            name,
            expected: "a whole number above 0",
            value: value.to_string(),
        });
    }
    Ok(value)
}

/// An address to listen on (`127.0.0.1:8082`, `[::]:8082`), or `default`.
pub fn listen(name: &'static str, default: &str) -> Result<SocketAddr, ConfigError> {
    let value = string(name, default);
    value.parse().map_err(|_| ConfigError::Invalid {
        name,
        expected: "an address and port such as 127.0.0.1:8082",
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Each test uses its own variable names: tests run in parallel threads of one process.

    #[test]
    fn unset_and_empty_take_the_default() {
        assert_eq!(positive("TELEMETRY_TEST_UNSET", 6), Ok(6));
        std::env::set_var("TELEMETRY_TEST_EMPTY", "  ");
        assert_eq!(positive("TELEMETRY_TEST_EMPTY", 6), Ok(6));
    }

    #[test]
    fn a_bad_value_names_the_variable() {
        std::env::set_var("TELEMETRY_TEST_POOL", "zero");
        let error = positive("TELEMETRY_TEST_POOL", 6).unwrap_err();
        assert_eq!(
            error.to_string(),
            "TELEMETRY_TEST_POOL must be a whole number above 0, not \"zero\""
        );
        std::env::set_var("TELEMETRY_TEST_POOL0", "0");
        assert!(positive("TELEMETRY_TEST_POOL0", 6).is_err());
        std::env::set_var("TELEMETRY_TEST_LISTEN", "8082");
        assert!(listen("TELEMETRY_TEST_LISTEN", "127.0.0.1:1").is_err());
    }

    #[test]
    fn values_parse() {
        std::env::set_var("TELEMETRY_TEST_LISTEN_OK", " [::1]:9000 ");
        assert_eq!(
            listen("TELEMETRY_TEST_LISTEN_OK", "127.0.0.1:1").map(|a| a.port()),
            Ok(9000)
        );
    }
}
