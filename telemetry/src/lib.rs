//! What every Motorlog service shares at its edges, so each binary's `main` reads the same way:
//!
//! - [`config`]: typed settings read once at start from the environment; a bad value stops the
//!   start naming the variable, instead of surfacing as a strange failure an hour later;
//! - [`metrics`]: one Prometheus recorder per process, with latency histograms (per route for the
//!   HTTP services, per batch for the projectors) and a request counter by status for 5xx alerts;
//! - [`shutdown`]: SIGTERM (what Docker, systemd and Kubernetes send) or Ctrl-C, after which a
//!   service stops accepting, lets in-flight requests and batches finish, and exits;
//! - [`init_tracing`]: logs to stderr, filtered by `RUST_LOG` (default `info`; a command-line tool
//!   picks its own with [`init_tracing_or`]).

pub mod config;
pub mod metrics;
pub mod shutdown;

pub use shutdown::shutdown_signal;

/// Logs to stderr, filtered by `RUST_LOG` (default `info`). Call once, first thing in `main`.
pub fn init_tracing() {
    init_tracing_or("info");
}

/// Logs to stderr, filtered by `RUST_LOG`, else by `default`: a command-line tool run by hand keeps
/// its terminal to warnings and errors unless asked for more. Colours only on a terminal, so a
/// log file or a collector gets plain `key=value` fields. Call once, first thing in `main`.
pub fn init_tracing_or(default: &str) {
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| default.into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
