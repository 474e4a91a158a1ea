//! The signal that ends a service gracefully.
//!
//! Orchestrators stop a container with SIGTERM and kill it with SIGKILL after a grace period
//! (10 s in Docker, 30 s in Kubernetes). A service that ignored SIGTERM would be killed in the
//! middle of requests; one that exited at once would drop them. Each service passes this future to
//! axum's `with_graceful_shutdown` (and the projectors to their batch loops): it stops accepting,
//! finishes what it holds, then returns. A command the API accepted is already committed to the log
//! before its answer is written, so even a SIGKILL loses no accepted command.

/// Resolves on the first SIGTERM or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // No handler could be installed: never resolve from this branch.
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT: finishing in-flight work, then stopping"),
        () = terminate => tracing::info!("SIGTERM: finishing in-flight work, then stopping"),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::time::Duration;

    /// A real SIGTERM to this test process resolves the future instead of killing the process.
    #[tokio::test]
    async fn sigterm_resolves_the_signal() {
        let waiting = tokio::spawn(super::shutdown_signal());
        // Let the task install its handlers before the signal is sent.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!waiting.is_finished(), "resolved before any signal");
        let status = std::process::Command::new("kill")
            .args(["-TERM", &std::process::id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("SIGTERM resolves shutdown_signal")
            .expect("the task ends cleanly");
    }
}
