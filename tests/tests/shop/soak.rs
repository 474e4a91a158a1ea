//! The soak run (`make soak`): a busy shop for `SOAK_MINUTES` (default 5) through the deployed
//! services. Several desks (an advisor, a mechanic, the cashier each) work visits back to back
//! while a reader keeps asking for the board. It checks that nothing accepted is lost (each
//! command's event is in the log, each visit's order and invoice in the read models), that no
//! service's memory grows (the last quarter's median RSS within 20% of the second quarter's), and
//! reports the p99 latencies of each quarter, failing only when they grow several-fold.
//! Ignored in `make test`: it runs for minutes by design.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::day::data;
use motorlog_tests::day::{assert_all_in_log, open_the_shop, sign_in, Accepted, Desk, Visit};
use motorlog_tests::processes::{percentile, Deployment, Extras, OWNER_EMAIL};

const DESKS: u32 = 3;

/// Memory may wander this much between the second and the last quarter (allocators keep pages).
const RSS_GROWTH: f64 = 0.20;
/// And by this much in absolute terms for a small process, whose few MiB move in big steps.
const RSS_SLACK_KIB: u64 = 8 * 1024;
/// A quarter's p99 may be this many times the second quarter's (a shared two-core machine).
const P99_GROWTH: u32 = 5;

fn minutes() -> f64 {
    std::env::var("SOAK_MINUTES")
        .ok()
        .and_then(|m| m.trim().parse().ok())
        .filter(|m: &f64| *m > 0.0)
        .unwrap_or(5.0)
}

fn median(samples: &mut [u64]) -> u64 {
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "minutes long: `make soak` runs it"]
async fn soak() {
    let length = Duration::from_secs_f64(minutes() * 60.0);
    let quarter = length / 4;
    let mut shop = Deployment::start("soak", Extras::default()).await;
    let http = shop.http.clone();
    let (auth, commands) = (shop.auth.url.clone(), shop.commands.url.clone());
    let ledger = Arc::new(Mutex::new(Vec::<Accepted>::new()));
    let mut staff = vec![("cashier@soak.test", "cashier")];
    let logins: Vec<(String, &str)> = (0..DESKS)
        .flat_map(|d| {
            [
                (format!("advisor{d}@soak.test"), "advisor"),
                (format!("mechanic{d}@soak.test"), "mechanic"),
            ]
        })
        .collect();
    staff.extend(logins.iter().map(|(l, r)| (l.as_str(), *r)));
    let (owner, ids) = open_the_shop(&http, &auth, &commands, OWNER_EMAIL, &staff, &ledger).await;
    let cashier = sign_in(&http, &auth, "cashier@soak.test").await;
    let mut desks = Vec::new();
    for d in 0..DESKS {
        desks.push(Desk {
            http: http.clone(),
            commands: commands.clone(),
            advisor: sign_in(&http, &auth, &format!("advisor{d}@soak.test")).await,
            mechanic: sign_in(&http, &auth, &format!("mechanic{d}@soak.test")).await,
            mechanic_id: ids[2 + 2 * d as usize],
            cashier: cashier.clone(),
        });
    }
    // Each command's latency, stamped with when it was accepted: quarters are cut by time.
    let start = Instant::now();
    let ends = start + length;
    let (done, stop) = tokio::sync::watch::channel(false);
    let writers: Vec<_> = desks
        .into_iter()
        .enumerate()
        .map(|(d, desk)| {
            let ledger = Arc::clone(&ledger);
            tokio::spawn(async move {
                let mut visits: Vec<Visit> = Vec::new();
                let mut n = 0;
                while Instant::now() < ends {
                    visits.push(desk.visit(d as u32, n, &ledger).await);
                    n += 1;
                }
                visits
            })
        })
        .collect();
    let reader = {
        let (http, api, owner, mut stop) = (
            http.clone(),
            shop.queries.url.clone(),
            owner.clone(),
            stop.clone(),
        );
        tokio::spawn(async move {
            let mut latencies: Vec<(Instant, Duration)> = Vec::new();
            let board = "{ workOrders(first: 20) { nodes { number status total client { displayName } vehicle { plate } } } }";
            loop {
                let asked = Instant::now();
                data(&http, &api, &owner, board).await;
                latencies.push((asked, asked.elapsed()));
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                    _ = stop.changed() => return latencies,
                }
            }
        })
    };
    // Resident memory of every service, every two seconds.
    let mut memory: Vec<(Instant, Vec<u64>)> = Vec::new();
    let names: Vec<String> = shop.services().iter().map(|s| s.name.clone()).collect();
    while Instant::now() < ends {
        let sample = shop
            .services()
            .iter()
            .map(|s| s.rss_kib().unwrap_or(0))
            .collect();
        memory.push((Instant::now(), sample));
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let mut visits = Vec::new();
    for writer in writers {
        visits.extend(writer.await.unwrap());
    }
    let _ = done.send(true);
    let reads = reader.await.unwrap();
    drop(stop);
    for service in shop.services() {
        assert!(
            service.is_running(),
            "{} stopped during the soak",
            service.name
        );
    }
    let ledger = ledger.lock().unwrap().clone();

    // Nothing lost: in the log, and in the read models through the query API.
    assert_all_in_log(&shop.db.pool, &ledger).await;
    let head = shop.log_head().await;
    Deployment::wait_caught_up(&shop.db.pool, head, "the projector").await;
    for visit in &visits {
        let query = format!(
            r#"{{ workOrder(id: "{}") {{ status invoices {{ balanceDue }} }} }}"#,
            visit.order
        );
        let seen = data(&http, &shop.queries.url, &owner, &query).await;
        assert_eq!(
            seen["workOrder"]["status"], "closed",
            "{}: {seen}",
            visit.order
        );
        assert_eq!(
            seen["workOrder"]["invoices"][0]["balanceDue"], "0.00",
            "{seen}"
        );
    }

    // Per quarter: p99s of commands and of the board, and each service's median memory.
    let quarter_of = |at: Instant| {
        (at.saturating_duration_since(start).as_secs_f64() / quarter.as_secs_f64()).min(3.0)
            as usize
    };
    let accepted_at: Vec<(usize, Duration)> = ledger
        .iter()
        .map(|a| (quarter_of(a.sent), a.latency))
        .collect();
    let mut command_p99 = [Duration::ZERO; 4];
    let mut query_p99 = [Duration::ZERO; 4];
    for q in 0..4 {
        let mut commands: Vec<Duration> = accepted_at
            .iter()
            .filter(|(at, _)| *at == q)
            .map(|(_, l)| *l)
            .collect();
        command_p99[q] = percentile(&mut commands, 99);
        let mut queries: Vec<Duration> = reads
            .iter()
            .filter(|(at, _)| quarter_of(*at) == q)
            .map(|(_, l)| *l)
            .collect();
        query_p99[q] = percentile(&mut queries, 99);
    }
    let mut memory_summary = Vec::new();
    for (s, name) in names.iter().enumerate() {
        let in_quarter = |q: usize| {
            let mut samples: Vec<u64> = memory
                .iter()
                .filter(|(at, _)| quarter_of(*at) == q)
                .map(|(_, rss)| rss[s])
                .collect();
            median(&mut samples)
        };
        let (second, last) = (in_quarter(1), in_quarter(3));
        memory_summary.push(format!("{name} {}→{} MiB", second / 1024, last / 1024));
        let allowed = ((second as f64) * (1.0 + RSS_GROWTH)) as u64 + RSS_SLACK_KIB;
        assert!(
            last <= allowed,
            "{name}'s memory grew: median {second} KiB in the second quarter, {last} KiB in the last"
        );
    }
    let ms = |d: &[Duration; 4]| {
        d.iter()
            .map(|d| format!("{}", d.as_millis()))
            .collect::<Vec<_>>()
            .join("/")
    };
    println!(
        "soak: {:.1} min, {} visits, {} commands ({:.1}/s), {} board reads, 0 lost; RSS q2→q4: {}; \
         p99 ms per quarter: commands {}, board {}",
        minutes(),
        visits.len(),
        ledger.len(),
        ledger.len() as f64 / length.as_secs_f64(),
        reads.len(),
        memory_summary.join(", "),
        ms(&command_p99),
        ms(&query_p99)
    );
    for q in 2..4 {
        for (what, p99) in [("commands", &command_p99), ("board", &query_p99)] {
            assert!(
                p99[q] <= p99[1] * P99_GROWTH + Duration::from_millis(200),
                "{what}' p99 grew from {:?} in the second quarter to {:?} in quarter {}",
                p99[1],
                p99[q],
                q + 1
            );
        }
    }
}
