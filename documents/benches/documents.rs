//! `make bench-documents`: how long each document takes to typeset once the process is warm
//! (fonts parsed, the standard library built), the median of `BENCH_DOCUMENTS_RUNS` runs after
//! three warm-up runs, beside the first (cold) render of the process.

use std::time::{Duration, Instant};

use documents::{render, sample, Document};

fn median_ms(doc: &Document, runs: usize) -> f64 {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let pdf = render(doc, sample::DATED).expect("renders");
            std::hint::black_box(pdf);
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2].as_secs_f64() * 1000.0
}

fn main() {
    let runs: usize = std::env::var("BENCH_DOCUMENTS_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
        .max(1);
    let start = Instant::now();
    render(&sample::receipt(), sample::DATED).expect("renders");
    let first_ms = start.elapsed().as_secs_f64() * 1000.0;
    let docs = [
        sample::work_order(),
        sample::act(),
        sample::invoice(),
        sample::receipt(),
    ];
    for doc in &docs {
        for _ in 0..3 {
            render(doc, sample::DATED).expect("renders");
        }
    }
    let [order, act, invoice, receipt] = docs.map(|d| median_ms(&d, runs));
    println!(
        "bench documents: order_ms={order:.1} act_ms={act:.1} invoice_ms={invoice:.1} \
         receipt_ms={receipt:.1} first_ms={first_ms:.1} warm_runs={runs}"
    );
}
